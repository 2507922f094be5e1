package dev.sluice.driver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a WAL file's header and frame headers (SQLite's documented on-disk format, big-endian) to
 * tell how much of the log is live and when it restarted. The file's size says neither once a
 * checkpoint other than TRUNCATE has run: SQLite then rewrites the log from its start and keeps the
 * file (up to {@code journal_size_limit}). A restart draws new salts, which every frame of the new
 * log carries, so the live frames are the prefix whose salts match the header's.
 *
 * <p>Thread-safe: stateless; every call opens and reads the file afresh. A read that races a writer
 * may be a frame off, which is all a size check needs.
 */
final class WalFile {
  /** Bytes of the log's header, and of each frame's header before its page. */
  static final int HEADER = 32;

  static final int FRAME_HEADER = 24;
  private static final int MAGIC_LE = 0x377f0682;
  private static final int MAGIC_BE = 0x377f0683;

  private WalFile() {}

  /**
   * The salts of the log's header (both in one long): they change when, and only when, the log
   * restarts from its beginning. 0 when there is no log (yet).
   */
  static long salts(Path wal) {
    try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.READ)) {
      ByteBuffer h = read(ch, 0, HEADER);
      return h == null || !valid(h) ? 0 : h.getLong(16);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * The bytes of the live log: its header and the frames of the current log, not the stale frames
   * of an earlier one that a restarted log has not overwritten yet. The file's size when its header
   * cannot be read; 0 when there is no file.
   */
  static long liveBytes(Path wal) {
    try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer h = read(ch, 0, HEADER);
      if (h == null || !valid(h)) {
        return size;
      }
      long frame = h.getInt(8) + (long) FRAME_HEADER;
      long salts = h.getLong(16);
      // Frames [0, lo) carry the header's salts; [hi, frames) do not (an earlier log's).
      long lo = 0;
      long hi = (size - HEADER) / frame;
      while (lo < hi) {
        long mid = (lo + hi) >>> 1;
        ByteBuffer f = read(ch, HEADER + mid * frame + 8, 8);
        if (f != null && f.getLong(0) == salts) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo == 0 ? 0 : HEADER + lo * frame;
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static boolean valid(ByteBuffer header) {
    int magic = header.getInt(0);
    int pageSize = header.getInt(8);
    return (magic == MAGIC_LE || magic == MAGIC_BE) && pageSize >= 512 && pageSize <= 65536;
  }

  /** {@code length} bytes at {@code position}, or null when the file is shorter. */
  private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      if (ch.read(b, position + b.position()) < 0) {
        return null;
      }
    }
    return b.flip();
  }
}
