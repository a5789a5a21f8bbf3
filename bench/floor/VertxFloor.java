import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The floor of a proxy hop on Vert.x 5, for bench/ab.sh: an HTTP/1.1 server whose every request is
 * sent by a pooled keep-alive client to one upstream, headers copied (but Connection), the answer
 * read whole and written back. No routing, limits, circuit, retries, metrics or header rules: what
 * Sluice's hop costs above this is Sluice's own work.
 *
 *   java -cp gateway-app/target/sluice.jar bench/floor/VertxFloor.java PORT UPSTREAM_PORT [INSTANCES]
 */
public class VertxFloor extends VerticleBase {
  private final int port;
  private final int upstreamPort;
  private HttpClient client;

  VertxFloor(int port, int upstreamPort) {
    this.port = port;
    this.upstreamPort = upstreamPort;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstreamPort = Integer.parseInt(args[1]);
    int instances = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
    vertx.deployVerticle(() -> new VertxFloor(port, upstreamPort), new DeploymentOptions().setInstances(instances)).await();
    System.out.printf("vertx floor on 127.0.0.1:%d to :%d, %d instances, native transport %s%n",
      port, upstreamPort, instances, vertx.isNativeTransportEnabled());
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)).requestHandler(request -> {
      RequestOptions to = new RequestOptions().setHost("127.0.0.1").setPort(upstreamPort)
        .setMethod(request.method()).setURI(request.uri());
      request.body()
        .compose(body -> client.request(to).compose(out -> {
          request.headers().forEach((name, value) -> {
            if (!"connection".equalsIgnoreCase(name)) {
              out.headers().add(name, value);
            }
          });
          return out.send(body);
        }))
        .compose(answer -> answer.body().compose(body -> {
          HttpServerResponse response = request.response().setStatusCode(answer.statusCode());
          answer.headers().forEach((name, value) -> {
            if (!"connection".equalsIgnoreCase(name)) {
              response.headers().add(name, value);
            }
          });
          return response.end(body);
        }))
        .onFailure(failure -> request.response().setStatusCode(502).end());
    }).listen();
  }
}
