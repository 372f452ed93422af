package io.s3lockproxy.auth;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/**
 * The time a request was signed at.
 *
 * @param instant    the time
 * @param timestamp  the same time in ISO 8601 basic form ({@code 20150830T123600Z}), as it enters the string to sign
 */
record RequestTime(Instant instant, String timestamp) {
    private static final DateTimeFormatter BASIC =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withResolverStyle(ResolverStyle.STRICT);

    /** Returns the time in an {@code x-amz-date} value ({@code 20150830T123600Z}), or null when malformed. */
    static RequestTime parseAmzDate(String value) {
        if (value == null || value.length() != 16) {
            return null;
        }
        try {
            Instant instant = LocalDateTime.parse(value, BASIC).toInstant(ZoneOffset.UTC);
            return new RequestTime(instant, value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Returns the time in an HTTP {@code Date} header (RFC 1123), or null when malformed. */
    static RequestTime parseHttpDate(String value) {
        if (value == null) {
            return null;
        }
        try {
            Instant instant = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return new RequestTime(instant, BASIC.format(instant.atOffset(ZoneOffset.UTC)));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Returns the scope date {@code yyyyMMdd} this time belongs to. */
    String date() {
        return timestamp.substring(0, 8);
    }
}
