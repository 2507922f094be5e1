/**
 * The pragmas Sluice wants on every physical connection: applying them, reading each one back, and
 * refusing statements that would change one at run time. Internal, no compatibility promise.
 */
package dev.sluice.pragma;
