package dev.sluice.gateway.auth;

/**
 * Redis keys of API-key consumers (a contract, DESIGN.md): {@code sluice:consumer:<id>}, a hash holding the
 * consumer's limits and one field per key digest, and {@code sluice:apikey:<sha256>} → consumer id, the
 * lookup a gateway makes for a key it has not verified lately. A key itself is never stored.
 */
public final class ConsumerKeys {
  public static final String CONSUMER_PREFIX = "sluice:consumer:";
  public static final String API_KEY_PREFIX = "sluice:apikey:";
  /** Hash field of one key: {@code key:<sha256>} → when it was issued (ms since the epoch, the admin's clock). */
  static final String KEY_FIELD_PREFIX = "key:";
  static final String FIELD_ID = "id";
  static final String FIELD_CREATED = "createdAt";
  static final String FIELD_LIMITS = "limits";

  private ConsumerKeys() {
  }

  public static String consumer(String id) {
    return CONSUMER_PREFIX + id;
  }

  public static String apiKey(String digest) {
    return API_KEY_PREFIX + digest;
  }
}
