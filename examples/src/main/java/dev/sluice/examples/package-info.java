/** Runnable programs that show Sluice to a newcomer. */
package dev.sluice.examples;
