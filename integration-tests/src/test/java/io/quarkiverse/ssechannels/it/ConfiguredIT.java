package io.quarkiverse.ssechannels.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The configuration keys set as -D on the packaged application.
 */
@QuarkusIntegrationTest
public class ConfiguredIT extends ConfiguredTest {
}
