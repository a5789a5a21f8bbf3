package dev.sluice.mock;

/** A request body went past the configured limit; answered with 413. */
final class PayloadTooLargeException extends RuntimeException {
  PayloadTooLargeException(long maxBytes) {
    super("body: larger than " + maxBytes + " bytes", null, false, false);
  }
}
