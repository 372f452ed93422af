package io.s3lockproxy.sigv4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** S3-specific corners of {@link CanonicalRequest} that the generic test suite does not reach. */
class CanonicalRequestTest {

    @Test
    void encodesEachSegmentOnceAndKeepsEscapedSlashes() {
        assertThat(CanonicalRequest.canonicalUri("/b/a%2Fb/c d/%7e/%41+")).isEqualTo("/b/a%2Fb/c%20d/~/A%2B");
        assertThat(CanonicalRequest.canonicalUri("/b//./../x/")).isEqualTo("/b//./../x/");
        assertThat(CanonicalRequest.canonicalUri("")).isEqualTo("/");
    }

    @Test
    void sortsDecodedAndReencodedQueryAndDropsTheSignatureWhenPresigned() {
        String q = "b=2&a=&uploads&a=%41&X-Amz-Signature=abc&c=x%20y+z";
        assertThat(CanonicalRequest.canonicalQuery(q, true)).isEqualTo("a=&a=A&b=2&c=x%20y%2Bz&uploads=");
        assertThat(CanonicalRequest.canonicalQuery(q, false)).contains("X-Amz-Signature=abc");
    }

    @Test
    void trimsCollapsesAndJoinsHeaderValues() {
        Map<String, List<String>> h = Map.of("x-a", List.of("  one   two ", "three"), "host", List.of("h"));
        assertThat(CanonicalRequest.canonicalHeaders(n -> h.getOrDefault(n, List.of()), List.of("host", "x-a", "x-b")))
                .isEqualTo("host:h\nx-a:one two,three\nx-b:\n");
    }

    @Test
    void rejectsMalformedEscapes() {
        assertThatThrownBy(() -> CanonicalRequest.canonicalUri("/b/%zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalRequest.canonicalQuery("a=%4", false))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
