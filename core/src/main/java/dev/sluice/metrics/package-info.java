/**
 * Sluice's Micrometer meters: their names, registration once per engine, and a null sink for when
 * metrics are off. Internal, no compatibility promise.
 */
package dev.sluice.metrics;
