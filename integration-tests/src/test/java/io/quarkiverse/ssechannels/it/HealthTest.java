package io.quarkiverse.ssechannels.it;

import static io.quarkiverse.ssechannels.it.DemoContractTest.awaitCount;
import static io.quarkiverse.ssechannels.it.DemoContractTest.uri;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.junit.QuarkusTest;

/** The readiness check {@code sse-channels} of the demo, with the default memory backend. */
@QuarkusTest
public class HealthTest {

    static final String CHECK = "checks.find { it.name == 'sse-channels' }";

    @Test
    void readyWithTheMemoryBackendAndCountsTheStreams() {
        try (SseClient client = SseClient.connect(uri("/sse/weather"))) {
            awaitCount("/weather/connections", 1);
            given().get("/q/health/ready").then().statusCode(200)
                    .body("status", equalTo("UP"))
                    .body(CHECK + ".status", equalTo("UP"))
                    .body(CHECK + ".data.backend", equalTo("memory"))
                    .body(CHECK + ".data.connections", greaterThanOrEqualTo(1));
        }
    }
}
