package io.s3lockproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.config.LogConfig;
import io.s3lockproxy.upstream.UpstreamError;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    private static final Instant T = Instant.parse("2026-01-05T10:15:30.123Z");
    private static final RequestRecord PUT = new RequestRecord("6F4C0E2B51A9D3E7", "AKIDEXAMPLE", "PUT_OBJECT", "PUT",
            "photos", "a b/\"c\".jpg", 200, false, 1048576, 0, 41_500_000, 3_000_000, null);

    @Test
    void textLineIsOneLineOfKeyValuePairs() {
        assertThat(new AccessLog(LogConfig.Format.TEXT).format(PUT, T)).isEqualTo(
                "2026-01-05T10:15:30.123Z request=6F4C0E2B51A9D3E7 accessKey=AKIDEXAMPLE op=PUT_OBJECT method=PUT"
                        + " bucket=photos key=\"a b/\\\"c\\\".jpg\" status=200 in=1048576 out=0 totalMs=41 lockWaitMs=3");
    }

    @Test
    void textLineOfAnAbortedRequestWithoutAuthentication() {
        RequestRecord r = new RequestRecord("X", null, "UNKNOWN", "GET", null, null, 0, true, 0, 0, 1_000_000, 0,
                UpstreamError.READ_TIMEOUT);
        assertThat(new AccessLog(LogConfig.Format.TEXT).format(r, T)).isEqualTo(
                "2026-01-05T10:15:30.123Z request=X accessKey=- op=UNKNOWN method=GET bucket=- key=- status=- aborted"
                        + " in=0 out=0 totalMs=1 lockWaitMs=0 upstreamError=READ_TIMEOUT");
    }

    @Test
    void timesKeepThreeDigitsOfMillisecondsAcrossSecondsInAnyOrder() {
        AccessLog log = new AccessLog(LogConfig.Format.TEXT);
        for (String time : new String[] {"2026-01-05T10:15:30.000Z", "2026-01-05T10:15:30.007Z", "2026-01-05T10:15:31.045Z",
                "2026-01-05T10:15:30.999Z", "2026-12-31T23:59:59.100Z", "2027-01-01T00:00:00.000Z"}) {
            String line = log.format(PUT, Instant.parse(time));
            assertThat(line.substring(0, line.indexOf(' '))).isEqualTo(time);
            assertThat(Instant.parse(line.substring(0, line.indexOf(' ')))).isEqualTo(Instant.parse(time));
        }
    }

    @Test
    void jsonLineIsOneObject() {
        assertThat(new AccessLog(LogConfig.Format.JSON).format(PUT, T)).isEqualTo(
                "{\"time\":\"2026-01-05T10:15:30.123Z\",\"requestId\":\"6F4C0E2B51A9D3E7\",\"accessKey\":\"AKIDEXAMPLE\","
                        + "\"operation\":\"PUT_OBJECT\",\"method\":\"PUT\",\"bucket\":\"photos\",\"key\":\"a b/\\\"c\\\".jpg\","
                        + "\"status\":200,\"aborted\":false,\"bytesIn\":1048576,\"bytesOut\":0,\"totalMs\":41,"
                        + "\"lockWaitMs\":3,\"upstreamError\":null}");
    }

    @Test
    void controlCharactersInKeysCannotBreakTheLine() {
        RequestRecord r = new RequestRecord("X", "AK", "GET_OBJECT", "GET", "b", "evil\nline\u0001", 200, false, 0, 0, 0, 0, null);
        assertThat(new AccessLog(LogConfig.Format.TEXT).format(r, T)).doesNotContain("\n").contains("key=\"evil\\nline\\u0001\"");
        assertThat(new AccessLog(LogConfig.Format.JSON).format(r, T)).doesNotContain("\n");
    }
}
