package io.quarkiverse.ssechannels.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The real clients against the packaged application.
 */
@QuarkusIntegrationTest
public class RealClientsIT extends RealClientsTest {
}
