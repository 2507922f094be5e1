package dev.sluice.sql;

/**
 * SQLite's tokenizer as static functions over a string, a position and the text's length: where the
 * next token starts ({@link #skip}, past whitespace and comments), where it ends ({@link #end}:
 * string, blob and quoted-identifier literals, variables, words), and how a token compares with a
 * keyword or a name. It exists on its own so that the classifier, the pragma parser, the statement
 * splitter and the connection-state rewrite all share one notion of a token: a keyword inside a
 * string, a comment or a quoted identifier must never count in any of them.
 *
 * <p>On the hot path of {@link SqlClassifier#classify}: every function allocates nothing (positions
 * are ints, keywords are compared with {@code regionMatches} ignoring case, which needs no {@code
 * Locale}). Stateless and thread-safe.
 */
final class Lexer {

  private Lexer() {}

  /** The start of the next token at or after i, skipping whitespace and comments; n if none. */
  static int skip(String s, int i, int n) {
    while (i < n) {
      char c = s.charAt(i);
      if (isSpace(c)) {
        i++;
      } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
        int newline = s.indexOf('\n', i + 2);
        i = newline < 0 ? n : newline + 1;
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        // SQLite accepts a block comment left open: it runs to the end of the text.
        int close = s.indexOf("*/", i + 2);
        i = close < 0 ? n : close + 2;
      } else {
        break;
      }
    }
    return i;
  }

  /**
   * The end of the token starting at i (i < n), following SQLite's tokenizer; n + 1 for a token
   * SQLite rejects (an unterminated literal, an illegal variable or blob), which makes the
   * statement malformed.
   */
  static int end(String s, int i, int n) {
    char c = s.charAt(i);
    switch (c) {
      case '\'':
      case '"':
      case '`':
        return quotedEnd(s, i, n, c);
      case '[':
        {
          int close = s.indexOf(']', i + 1);
          return close < 0 ? n + 1 : close + 1;
        }
      case '?':
        {
          int j = i + 1;
          while (j < n && isDigit(s.charAt(j))) {
            j++;
          }
          return j;
        }
      case '$':
      case '@':
      case ':':
      case '#':
        return variableEnd(s, i, n);
      default:
        if ((c == 'x' || c == 'X') && i + 1 < n && s.charAt(i + 1) == '\'') {
          return blobEnd(s, i, n);
        }
        if (isWordChar(c)) {
          return wordEnd(s, i + 1, n);
        }
        return i + 1;
    }
  }

  /**
   * A named variable: {@code $name}, {@code :name}, {@code @name}, {@code #name}, with {@code ::}
   * inside and an optional Tcl suffix {@code (…)} that runs to the next whitespace or ')'. The
   * suffix matters: in {@code $a('); DELETE FROM t; --'} the quote is part of the variable, so the
   * DELETE is a statement of its own.
   */
  private static int variableEnd(String s, int i, int n) {
    int j = i + 1;
    boolean named = false;
    while (j < n) {
      char c = s.charAt(j);
      if (isWordChar(c) || c == '$') {
        named = true;
        j++;
      } else if (c == '(' && named) {
        j++;
        while (j < n && !isSpace(s.charAt(j)) && s.charAt(j) != ')') {
          j++;
        }
        return j < n && s.charAt(j) == ')' ? j + 1 : n + 1;
      } else if (c == ':' && j + 1 < n && s.charAt(j + 1) == ':') {
        j += 2;
      } else {
        break;
      }
    }
    return named ? j : n + 1;
  }

  /** {@code x'…'}: an even number of hex digits closed by the first quote (no escapes). */
  private static int blobEnd(String s, int i, int n) {
    int j = i + 2;
    while (j < n && isHexDigit(s.charAt(j))) {
      j++;
    }
    return j < n && s.charAt(j) == '\'' && (j - i) % 2 == 0 ? j + 1 : n + 1;
  }

  private static int quotedEnd(String s, int open, int n, char quote) {
    int i = open + 1;
    while (true) {
      int close = s.indexOf(quote, i);
      if (close < 0) {
        return n + 1;
      }
      if (close + 1 < n && s.charAt(close + 1) == quote) {
        i = close + 2;
      } else {
        return close + 1;
      }
    }
  }

  private static int wordEnd(String s, int i, int n) {
    while (i < n && (isWordChar(s.charAt(i)) || s.charAt(i) == '$')) {
      i++;
    }
    return i;
  }

  // Digits start numbers, which need no separate handling: they never match a keyword.
  private static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c >= 0x80;
  }

  static boolean keyword(String s, int p, int e, String upper) {
    return e - p == upper.length() && s.regionMatches(true, p, upper, 0, upper.length());
  }

  /**
   * True if the token {@code [p, e)} names {@code name}: a bare word or a quoted identifier ({@code
   * "…"}, {@code […]}, {@code `…`}), and with {@code stringToo} also {@code '…'}, which SQLite
   * accepts where it expects a name.
   */
  static boolean nameIs(String s, int p, int e, String name, boolean stringToo) {
    int length = name.length();
    if (e - p == length) {
      return s.regionMatches(true, p, name, 0, length);
    }
    if (e - p != length + 2) {
      return false;
    }
    char c = s.charAt(p);
    boolean quoted = c == '"' || c == '[' || c == '`' || (stringToo && c == '\'');
    return quoted && s.regionMatches(true, p + 1, name, 0, length);
  }

  static boolean isName(String s, int p) {
    char c = s.charAt(p);
    return c == '"' || c == '[' || c == '`' || c == '\'' || (isWordChar(c) && !isDigit(c));
  }

  /** A pragma value: a word, a number, a string or a quoted identifier (not a blob). */
  static boolean isValue(String s, int p, int n) {
    char c = s.charAt(p);
    if ((c == 'x' || c == 'X') && p + 1 < n && s.charAt(p + 1) == '\'') {
      return false;
    }
    return c == '"' || c == '[' || c == '`' || c == '\'' || isWordChar(c);
  }

  private static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  private static boolean isHexDigit(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** After skipping, p is at the end of the text or of the statement. */
  static boolean atEnd(String s, int p, int n) {
    return p >= n || s.charAt(p) == ';';
  }

  /** The first character of the next token after i, or 0 at the end. */
  static char next(String s, int i, int n) {
    int p = skip(s, i, n);
    return p < n ? s.charAt(p) : 0;
  }

  /** Skips the keyword at p if it is {@code upper}; returns the next token's start either way. */
  static int optional(String s, int p, int n, String upper) {
    if (p < n) {
      int e = end(s, p, n);
      if (keyword(s, p, e, upper)) {
        return skip(s, e, n);
      }
    }
    return p;
  }

  /** Index just after the ')' matching the '(' at p, or -1 if a ';' or the end comes first. */
  static int closingParenthesis(String s, int p, int n) {
    int depth = 0;
    while (p < n) {
      char c = s.charAt(p);
      int e = end(s, p, n);
      if (e > n || c == ';') {
        return -1;
      }
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return e;
      }
      p = skip(s, e, n);
    }
    return -1;
  }
}
