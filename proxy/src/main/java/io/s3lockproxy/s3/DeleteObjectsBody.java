package io.s3lockproxy.s3;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a DeleteObjects request body ({@code <Delete><Quiet/><Object><Key/><VersionId/><ETag/>…})
 * and writes one back.
 */
public final class DeleteObjectsBody {
    /** S3 accepts at most 1000 keys per DeleteObjects request. */
    public static final int MAX_KEYS = 1000;
    /** Upper bound of a well-formed body: 1000 keys of 1024 bytes plus markup, with room to spare. */
    public static final int MAX_BODY_BYTES = 2 * 1024 * 1024;

    private static final XMLInputFactory XML = secureFactory();

    private DeleteObjectsBody() {
    }

    /**
     * One object to delete.
     *
     * @param key        the object key
     * @param versionId  the version to delete, or null
     * @param etag       the ETag the object must have (a conditional delete), or null
     */
    public record Entry(String key, String versionId, String etag) {
    }

    /**
     * A parsed body.
     *
     * @param quiet    whether only errors are to be reported
     * @param entries  the objects, in document order
     */
    public record Parsed(boolean quiet, List<Entry> entries) {
        /** Returns whether any object carries an ETag condition. */
        public boolean conditional() {
            return entries.stream().anyMatch(e -> e.etag() != null);
        }
    }

    /** Returns the keys named in {@code body}, in document order; throws S3 MalformedXML for anything else. */
    public static List<String> keys(byte[] body) {
        return parse(body).entries().stream().map(Entry::key).toList();
    }

    /** Returns the parsed {@code body}; throws S3 MalformedXML for anything but a Delete document. */
    public static Parsed parse(byte[] body) {
        List<Entry> entries = new ArrayList<>();
        boolean quiet = false;
        String key = null;
        String versionId = null;
        String etag = null;
        try {
            XMLStreamReader r = XML.createXMLStreamReader(new ByteArrayInputStream(body));
            int depth = 0;
            boolean inObject = false;
            boolean sawDelete = false;
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String name = r.getLocalName();
                    if (depth == 1) {
                        if (!name.equals("Delete")) {
                            throw malformed();
                        }
                        sawDelete = true;
                    } else if (depth == 2 && name.equals("Quiet")) {
                        quiet = Boolean.parseBoolean(r.getElementText().trim());
                        depth--;
                    } else if (depth == 2 && name.equals("Object")) {
                        inObject = true;
                        key = null;
                        versionId = null;
                        etag = null;
                    } else if (depth == 3 && inObject && name.equals("Key")) {
                        key = r.getElementText();
                        depth--;
                    } else if (depth == 3 && inObject && name.equals("VersionId")) {
                        versionId = r.getElementText();
                        depth--;
                    } else if (depth == 3 && inObject && name.equals("ETag")) {
                        etag = r.getElementText();
                        depth--;
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    if (depth == 2 && inObject) {
                        inObject = false;
                        if (key == null) {
                            throw malformed();
                        }
                        entries.add(new Entry(key, versionId, etag));
                        if (entries.size() > MAX_KEYS) {
                            throw malformed();
                        }
                    }
                    depth--;
                }
            }
            if (!sawDelete) {
                throw malformed();
            }
            return new Parsed(quiet, List.copyOf(entries));
        } catch (XMLStreamException e) {
            throw malformed();
        }
    }

    /** Returns the body of a DeleteObjects request for {@code entries}; their ETags only when {@code withETags}. */
    public static byte[] render(boolean quiet, List<Entry> entries, boolean withETags) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete>");
        if (quiet) {
            b.append("<Quiet>true</Quiet>");
        }
        for (Entry e : entries) {
            b.append("<Object><Key>").append(text(e.key())).append("</Key>");
            if (e.versionId() != null) {
                b.append("<VersionId>").append(text(e.versionId())).append("</VersionId>");
            }
            if (withETags && e.etag() != null) {
                b.append("<ETag>").append(text(e.etag())).append("</ETag>");
            }
            b.append("</Object>");
        }
        return b.append("</Delete>").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Escapes {@code s} so that parsing it gives {@code s} back exactly: besides the markup
     * characters, tab, LF and CR become character references (a parser normalizes them when literal).
     */
    private static String text(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\t', '\n', '\r' -> b.append("&#").append((int) c).append(';');
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static S3Exception malformed() {
        return new S3Exception(S3ErrorCode.MALFORMED_XML);
    }

    private static XMLInputFactory secureFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }
}
