package dev.sluice.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiKeyDigestTest {

  @Test
  void theIdentityNamesTheKeyWithoutContainingIt() {
    String key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    String identity = ApiKeyDigest.identity(key);
    assertTrue(identity.matches("key:[0-9a-f]{32}"), identity);
    assertFalse(identity.contains(key));
    assertFalse(identity.contains("sk_live"));
  }

  @Test
  void theSameKeyHasTheSameIdentityOnEveryCallAsTheHeaderIsTrimmed() {
    assertEquals(ApiKeyDigest.identity("alice"), ApiKeyDigest.identity("  alice "));
    // SHA-256("alice") = 2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90
    assertEquals("key:2bd806c97f0e00af1a1fc3328fa763a9", ApiKeyDigest.identity("alice"));
  }

  @Test
  void theRequestPathsReusedDigestNamesKeysAsTheAdminLookupDoes() {
    ApiKeyDigest digests = new ApiKeyDigest();
    for (String key : new String[] {"alice", "bob", "alice"}) {
      assertEquals(ApiKeyDigest.identity(key), digests.of(key));
    }
  }

  @Test
  void twoKeysHaveTwoIdentities() {
    assertNotEquals(ApiKeyDigest.identity("alice"), ApiKeyDigest.identity("bob"));
  }
}
