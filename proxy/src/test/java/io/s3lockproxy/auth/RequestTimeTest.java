package io.s3lockproxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTimeTest {

    @Test
    void readsAnAmzDate() {
        RequestTime t = RequestTime.parseAmzDate("20150830T123600Z");
        assertThat(t.instant()).isEqualTo(Instant.parse("2015-08-30T12:36:00Z"));
        assertThat(t.date()).isEqualTo("20150830");
        assertThat(t.timestamp()).isEqualTo("20150830T123600Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "20150830T123600", "20150830T123600z", "20150830X123600Z", "2015083OT123600Z",
        "20150230T123600Z", "20151330T123600Z", "20150830T246000Z", "20150830T123660Z", "+0150830T123600Z"})
    void refusesWhatIsNotAValidAmzDate(String value) {
        assertThat(RequestTime.parseAmzDate(value)).isNull();
    }

    @Test
    void readsAnHttpDateIntoTheBasicForm() {
        RequestTime t = RequestTime.parseHttpDate("Sun, 30 Aug 2015 12:36:00 GMT");
        assertThat(t.timestamp()).isEqualTo("20150830T123600Z");
    }
}
