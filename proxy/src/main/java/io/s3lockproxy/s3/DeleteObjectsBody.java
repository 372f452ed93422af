package io.s3lockproxy.s3;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern ENCODING = Pattern.compile("\\sencoding\\s*=\\s*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']");

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
            XMLStreamReader r = reader(body);
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
        return b.append("</Delete>").toString().getBytes(StandardCharsets.UTF_8);
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

    /**
     * Returns a parser over {@code body}, decoded here, strictly: UTF-8 (what S3 clients send, with
     * or without a byte order mark), UTF-16 after its byte order mark, or the encoding the XML
     * declaration names. The JDK's parser, given bytes, would print every malformed sequence to
     * stderr as a "[Fatal Error]" line, so a client could write to the proxy's console at will;
     * given characters it has nothing to decode.
     */
    private static XMLStreamReader reader(byte[] body) throws XMLStreamException {
        Charset charset = StandardCharsets.UTF_8;
        int skip = 0;
        if (startsWith(body, 0xef, 0xbb, 0xbf)) {
            skip = 3;
        } else if (startsWith(body, 0xfe, 0xff)) {
            charset = StandardCharsets.UTF_16BE;
            skip = 2;
        } else if (startsWith(body, 0xff, 0xfe)) {
            charset = StandardCharsets.UTF_16LE;
            skip = 2;
        } else {
            charset = declaredEncoding(body);
        }
        try {
            String text = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, skip, body.length - skip))
                    .toString();
            return XML.createXMLStreamReader(new StringReader(text));
        } catch (CharacterCodingException e) {
            throw malformed();
        }
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Returns the encoding an XML declaration names ({@code <?xml … encoding="…"?>}), UTF-8 without one. */
    private static Charset declaredEncoding(byte[] b) {
        String head = new String(b, 0, Math.min(b.length, 200), StandardCharsets.ISO_8859_1);
        if (!head.startsWith("<?xml")) {
            return StandardCharsets.UTF_8;
        }
        int end = head.indexOf("?>");
        Matcher m = ENCODING.matcher(end < 0 ? head : head.substring(0, end));
        if (!m.find()) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(m.group(1));
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
    }

    private static S3Exception malformed() {
        return new S3Exception(S3ErrorCode.MALFORMED_XML);
    }

    /** An XML reader that resolves no DTD and no external entity; for small request documents. */
    static XMLInputFactory secureFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }
}
