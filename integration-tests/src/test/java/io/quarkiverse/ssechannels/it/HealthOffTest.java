package io.quarkiverse.ssechannels.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code quarkus.sse-channels.health.enabled=false}: no check of the extension's, so an application whose Redis is
 * down is ready all the same (its streams keep working for events of this instance's own).
 */
@QuarkusTest
@TestProfile(HealthOffTest.Off.class)
public class HealthOffTest {

    public static class Off implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(new HealthWithoutRedisTest.NoRedis().getConfigOverrides());
            config.put("quarkus.sse-channels.health.enabled", "false");
            return config;
        }
    }

    @Test
    void readyWithoutTheCheck() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", not(hasItem("sse-channels")));
    }
}
