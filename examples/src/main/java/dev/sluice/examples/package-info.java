/** The runnable demo that shows Sluice to a newcomer. */
package dev.sluice.examples;
