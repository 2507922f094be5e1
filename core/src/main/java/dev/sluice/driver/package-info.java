/**
 * URL and option parsing, the immutable settings of an engine, the engine that wires writer,
 * readers, pragmas and metrics together, and the registry of engines opened through the driver.
 * Internal, no compatibility promise.
 */
package dev.sluice.driver;
