package io.quarkiverse.ssechannels.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The same contract against the packaged application (a jar here, a native executable with -Dnative).
 */
@QuarkusIntegrationTest
public class DemoContractIT extends DemoContractTest {
}
