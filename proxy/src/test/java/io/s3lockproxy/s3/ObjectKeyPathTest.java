package io.s3lockproxy.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3lockproxy.sigv4.UriEncoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectKeyPathTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "../other/k|%2E%2E/other/k",
            "a/./b|a/%2E/b",
            "a/..|a/%2E%2E",
            ".|%2E",
            "..\\..\\b\\k|%2E%2E%5C%2E%2E%5Cb%5Ck",
            "a\\.|a%5C%2E",
            "...|...",
            ".hidden/..x/x..|.hidden/..x/x..",
            "a//b|a//b",
            "dir/café x+y|dir/caf%C3%A9%20x%2By"})
    void dotSegmentsBetweenSlashesOrBackslashesHaveTheirDotsEscaped(String key, String path) {
        assertThat(ObjectKeyPath.encode(key)).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../other/k", "a/./b/..", "..\\x", "plain/key.txt", "", "/lead", "trail/"})
    void theEncodedPathDecodesToTheKeyAgain(String key) {
        assertThat(UriEncoding.decode(ObjectKeyPath.encode(key))).isEqualTo(key);
    }
}
