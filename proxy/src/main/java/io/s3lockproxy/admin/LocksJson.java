package io.s3lockproxy.admin;

import io.s3lockproxy.lock.LockSnapshot;
import java.util.List;
import java.util.Map;

/**
 * {@code /locks} as JSON: {@code {"locks":[{"bucket":…,"key":…,"instance":…,"requestId":…,"token":…,
 * "ageMs":…,"waiters":…,"distributed":…}], "storageProtection":{"bucket":{"writes":…,"copies":…,"completes":…,"deletes":…,"etags":…}}}}.
 */
final class LocksJson {
    private LocksJson() {
    }

    static String of(List<LockSnapshot> locks) {
        return of(locks, Map.of());
    }

    static String of(List<LockSnapshot> locks, Map<String, Map<String, String>> protection) {
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
        b.append(locks.isEmpty() ? "]" : "\n]").append(",\"storageProtection\":{");
        int n = 0;
        for (Map.Entry<String, Map<String, String>> bucket : new java.util.TreeMap<>(protection).entrySet()) {
            b.append(n++ > 0 ? ",\n  " : "\n  ");
            string(b, bucket.getKey()).append(":{");
            int m = 0;
            for (Map.Entry<String, String> fact : new java.util.TreeMap<>(bucket.getValue()).entrySet()) {
                b.append(m++ > 0 ? "," : "");
                string(b, fact.getKey()).append(':');
                string(b, fact.getValue());
            }
            b.append('}');
        }
        return b.append(protection.isEmpty() ? "}}\n" : "\n}}\n").toString();
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
