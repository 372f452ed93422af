package io.s3lockproxy.admin;

import io.s3lockproxy.lock.LockSnapshot;
import java.util.List;

/** {@code /locks} as JSON: {@code {"locks":[{"bucket":…,"key":…,"instance":…,"requestId":…,"token":…,"ageMs":…,"waiters":…,"distributed":…}]}}. */
final class LocksJson {
    private LocksJson() {
    }

    static String of(List<LockSnapshot> locks) {
        StringBuilder b = new StringBuilder("{\"locks\":[");
        for (int i = 0; i < locks.size(); i++) {
            LockSnapshot l = locks.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("\n  {\"bucket\":");
            string(b, l.bucket()).append(",\"key\":");
            string(b, l.key()).append(",\"instance\":");
            string(b, l.instanceId()).append(",\"requestId\":");
            string(b, l.requestId()).append(",\"token\":").append(l.fencingToken())
                    .append(",\"ageMs\":").append(l.ageMillis())
                    .append(",\"waiters\":").append(l.waiters())
                    .append(",\"distributed\":").append(l.distributed()).append('}');
        }
        return b.append(locks.isEmpty() ? "]}\n" : "\n]}\n").toString();
    }

    private static StringBuilder string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"');
    }
}
