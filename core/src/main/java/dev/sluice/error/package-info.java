/**
 * SQLStates, classification of SQLite result codes, and the one place that creates Sluice's
 * exceptions. Internal, no compatibility promise.
 */
package dev.sluice.error;
