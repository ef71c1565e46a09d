package io.quarkiverse.ssechannels.it;

import static io.quarkiverse.ssechannels.it.DemoContractTest.awaitCount;
import static io.quarkiverse.ssechannels.it.DemoContractTest.uri;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkiverse.ssechannels.testing.SseClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code quarkus.sse-channels.metrics.enabled=false}: the extension registers no meter; streams work as ever. */
@QuarkusTest
@TestProfile(MetricsOffTest.Off.class)
public class MetricsOffTest {

    public static class Off implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.sse-channels.metrics.enabled", "false");
        }
    }

    @Test
    void noMeterOfTheExtensionIsRegistered() {
        try (SseClient client = SseClient.connect(uri("/sse/weather"))) {
            awaitCount("/weather/connections", 1);
            String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(body.contains("jvm_"), "the registry works");
            assertFalse(body.contains("sse_channels_"), body);
            DemoContractTest.post("/weather", "still delivered");
            assertEquals("still delivered", client.nextEvent(DemoContractTest.WAIT).data(), client.raw());
        }
    }
}
