package dev.sluice.admin.ui;

import dev.sluice.admin.AdminNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The admin page in a real browser (headless Chromium over the DevTools protocol) against a real
 * node: it shows the routes, its live numbers arrive, a circuit the test trips turns OPEN on the
 * open page without a reload, and its Reset button (with the token typed in) closes it again.
 * Skipped, with a message, where no Chromium is installed; .ci/run installs one.
 */
class AdminPageBrowserTest {
  static final int BOUND_S = 20;
  static final Path BROWSER = HeadlessChromium.find().orElse(null);
  @RegisterExtension
  static final AdminNode node = AdminNode.assuming(() -> assumeTrue(BROWSER != null,
    "no Chromium (looked for /usr/bin/chromium, chromium and chromium-browser on PATH): "
      + "skipping the admin page browser test; `apt-get install chromium` (as .ci/run does) to run it"));

  @Test
  void thePageShowsTheRoutesAndATrippedCircuitTurnsOpenWithoutAReload() throws Exception {
    try (HeadlessChromium chromium = HeadlessChromium.start(BROWSER);
         DevTools page = DevTools.connect(chromium.pageWebSocket())) {
      page.call("Page.navigate", new JsonObject().put("url", "http://127.0.0.1:" + node.adminPort() + "/ui/"));

      waitFor(page, "both routes listed with prefix and upstream",
        "Array.from(document.querySelectorAll('#route-rows tr[data-route]'))"
          + ".map(r => r.dataset.route + ' ' + r.querySelector('.prefix').textContent"
          + " + ' ' + r.querySelector('.upstream').textContent.replace(/:[0-9]+/, ':PORT')).join(', ')",
        "users /users http://127.0.0.1:PORT, orders /orders http://127.0.0.1:PORT");
      waitFor(page, "the users circuit shown CLOSED", state("users"), "CLOSED CLOSED");
      waitFor(page, "the bridge connected", "document.getElementById('link').textContent", "LIVE");
      // A stats frame has arrived, so every registration (made together, handled in order) is in place.
      waitFor(page, "live numbers from sluice.stats", "document.querySelector('tr[data-route=\"users\"] .req')"
        + ".textContent !== '–'", true);
      assertEquals(true, page.evaluate("Array.from(document.querySelectorAll('.actions button')).every(b => b.disabled)"),
        "read-only without a token");

      // Trip it through the gateway: two failures, the route's threshold; no retries.
      assertEquals(500, node.gatewayStatus("/users/status/500"));
      assertEquals(500, node.gatewayStatus("/users/status/500"));
      waitFor(page, "the users circuit turns OPEN on the open page", state("users"), "OPEN OPEN");
      screenshot(page, "admin-page-open.png");
      assertEquals("OPEN", node.circuit("users").getString("state"));
      assertEquals("CLOSED CLOSED", page.evaluate(state("orders")), "the other route is untouched");

      // The token typed into the page, the Reset button clicked: the order goes over the bridge.
      page.evaluate("document.getElementById('token-input').value = '" + AdminNode.TOKEN + "';"
        + "document.getElementById('token-set').click(); true");
      waitFor(page, "buttons enabled with a token",
        "document.querySelector('tr[data-route=\"users\"] button[data-action=\"reset\"]').disabled", false);
      page.evaluate("document.querySelector('tr[data-route=\"users\"] button[data-action=\"reset\"]').click(); true");
      waitFor(page, "the users circuit back to CLOSED", state("users"), "CLOSED CLOSED");
      assertEquals("CLOSED", node.circuit("users").getString("state"));
    }
  }

  /** For a person to look at after the build (target/), not asserted on. */
  private static void screenshot(DevTools page, String name) throws Exception {
    String png = page.call("Page.captureScreenshot", new JsonObject().put("format", "png")).getString("data");
    java.nio.file.Files.write(Path.of("target", name), java.util.Base64.getDecoder().decode(png));
  }

  /** The cluster state badge of a route's row: its data-state and its word, both. */
  private static String state(String route) {
    return "(() => { const s = document.querySelector('tr[data-route=\"" + route + "\"] .circuit .state');"
      + " return s ? s.dataset.state + ' ' + s.textContent : null; })()";
  }

  private static void waitFor(DevTools page, String what, String expression, Object expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_S);
    Object last = null;
    while (System.nanoTime() < deadline) {
      last = page.evaluate(expression);
      if (Objects.equals(expected, last)) {
        return;
      }
      Thread.sleep(100); // polling a browser from the test thread, with a bound
    }
    throw new AssertionError("not within " + BOUND_S + " s: " + what + "; last value: " + last);
  }
}
