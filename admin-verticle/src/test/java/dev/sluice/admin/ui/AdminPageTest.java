package dev.sluice.admin.ui;

import dev.sluice.admin.AdminNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page's files come from the jar, with headers that keep it to its own origin. */
class AdminPageTest {
  @RegisterExtension
  static final AdminNode node = new AdminNode();

  @Test
  void thePageAndItsScriptAndStylesAreServedFromTheJarWithoutAnythingFromElsewhere() {
    HttpResponse<Buffer> page = node.admin().get("/ui/").send().await();
    assertEquals(200, page.statusCode());
    assertTrue(page.getHeader("Content-Type").startsWith("text/html"), page.getHeader("Content-Type"));
    assertTrue(page.getHeader("Content-Security-Policy").contains("script-src 'self'"));
    String html = page.bodyAsString();
    assertTrue(html.contains("sluice.js") && html.contains("sluice.css"));
    assertFalse(html.contains("http://") || html.contains("https://"), "no CDN, no remote anything");

    HttpResponse<Buffer> script = node.admin().get("/ui/sluice.js").send().await();
    assertEquals(200, script.statusCode());
    assertTrue(script.bodyAsString().contains("/eventbus/websocket"));
    assertFalse(script.bodyAsString().contains("localStorage") || script.bodyAsString().contains("sessionStorage")
      || script.bodyAsString().contains("document.cookie"), "the token stays in page memory");
    assertEquals(200, node.admin().get("/ui/sluice.css").send().await().statusCode());
  }

  @Test
  void uiWithoutTheSlashRedirectsAndUnknownFilesAreNotFound() {
    HttpResponse<Buffer> bare = node.admin().get("/ui").followRedirects(false).send().await();
    assertEquals(302, bare.statusCode());
    assertEquals("/ui/", bare.getHeader("Location"));
    assertEquals(404, node.admin().get("/ui/../pom.xml").send().await().statusCode());
    assertEquals(404, node.admin().get("/ui/nothing-here.js").send().await().statusCode());
  }
}
