package io.s3lockproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * No Docker engine runs on the build machines, so this keeps {@code docker/} honest by reading
 * it: every {@code S3LP_…} variable names a real key, every path the Dockerfile copies exists or
 * is built by Maven, and health checks and ports agree with the configured listen/admin ports.
 */
class DockerFilesTest {
    private static final Path REPO = Path.of("..");
    private static final Path DOCKER = REPO.resolve("docker");
    private static final Pattern ENV_NAME = Pattern.compile("\\bS3LP_[A-Z0-9_]*[A-Z0-9]");
    /** What {@code mvn -pl proxy -am package} produces, by path in the repository. */
    private static final List<String> MAVEN_OUTPUTS = List.of("proxy/target/s3-lock-proxy.jar");

    private static List<Path> dockerFiles() throws IOException {
        try (Stream<Path> s = Files.walk(DOCKER)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void everyS3lpVariableInDockerFilesNamesAConfigKey() throws IOException {
        List<String> seen = new ArrayList<>();
        for (Path file : dockerFiles()) {
            Matcher m = ENV_NAME.matcher(read(file));
            while (m.find()) {
                String name = m.group();
                seen.add(name);
                assertThat(ConfigKeys.keyForEnv(name)).as("%s in %s", name, file).isPresent();
            }
        }
        assertThat(seen).contains("S3LP_LISTEN", "S3LP_ADMIN", "S3LP_LOCK_REDIS", "S3LP_UPSTREAM_ENDPOINT");
    }

    @Test
    void composeAndKubernetesEnvironmentsLoadAsConfigurations() throws IOException {
        Map<String, Object> compose = yaml(DOCKER.resolve("compose.yml")).get(0);
        Map<String, Object> services = map(compose.get("services"));
        for (String name : List.of("proxy-a", "proxy-b")) {
            Map<String, String> env = new LinkedHashMap<>();
            map(map(services.get(name)).get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));
            env.putAll(dockerfileEnv());
            ProxyConfig c = ConfigLoader.load(null, env);
            assertThat(c.lock().redis()).as(name).isNotNull();
        }
        Map<String, String> sidecarEnv = new LinkedHashMap<>();
        for (Map<String, Object> container : sidecarContainers()) {
            if (String.valueOf(container.get("name")).equals("s3-lock-proxy")) {
                for (Object e : list(container.get("env"))) {
                    Map<String, Object> entry = map(e);
                    // secretKeyRef values are filled in by Kubernetes; stand in with a placeholder
                    sidecarEnv.put((String) entry.get("name"), entry.containsKey("value") ? String.valueOf(entry.get("value")) : "secret");
                }
            }
        }
        ProxyConfig sidecar = ConfigLoader.load(null, sidecarEnv);
        assertThat(sidecar.listen().host()).isEqualTo("127.0.0.1");
        assertThat(sidecar.admin().port()).isEqualTo(defaults().admin().port());
    }

    @Test
    void everyCopiedPathExistsOrIsBuiltByMaven() throws IOException {
        assertThat(read(REPO.resolve("proxy/pom.xml"))).contains("<finalName>s3-lock-proxy</finalName>");
        String workdir = "/";
        List<String> copied = new ArrayList<>();
        for (String line : dockerfileInstructions()) {
            String[] words = line.trim().split("\\s+");
            if (words[0].equalsIgnoreCase("WORKDIR")) {
                workdir = words[1].endsWith("/") ? words[1] : words[1] + "/";
            }
            if (!words[0].equalsIgnoreCase("COPY")) {
                continue;
            }
            boolean fromStage = words[1].startsWith("--from=");
            List<String> sources = List.of(words).subList(fromStage ? 2 : 1, words.length - 1);
            for (String src : sources) {
                if (fromStage) {
                    assertThat(src).as("a build-stage path under the build WORKDIR").startsWith("/src/");
                    assertThat(MAVEN_OUTPUTS).as("COPY --from %s", src).contains(src.substring("/src/".length()));
                } else {
                    assertThat(REPO.resolve(src)).as("COPY %s (build context: the repository root)", src).exists();
                    copied.add(src.replaceAll("/$", ""));
                }
            }
        }
        // The reactor reads every module's pom, so the build stage must copy all of them.
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(read(REPO.resolve("pom.xml")));
        while (modules.find()) {
            assertThat(copied).as("COPY of module %s's pom", modules.group(1)).contains(modules.group(1) + "/pom.xml");
        }
        assertThat(copied).contains("pom.xml", "proxy/src");
    }

    @Test
    void healthChecksAndPortsMatchTheListenAndAdminPorts() throws IOException {
        Map<String, String> env = dockerfileEnv();
        ProxyConfig image = ConfigLoader.load(null, withMinimalKeys(env));
        int listen = image.listen().port();
        int admin = image.admin().port();
        assertThat(listen).isEqualTo(defaults().listen().port());
        assertThat(admin).isEqualTo(defaults().admin().port());
        assertThat(image.listen().host()).isEqualTo("0.0.0.0");
        assertThat(image.admin().host()).isEqualTo("0.0.0.0");

        String dockerfile = read(DOCKER.resolve("Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^EXPOSE\\s+" + listen + "\\s+" + admin + "\\s*$");
        assertThat(dockerfile).containsPattern("HEALTHCHECK[^\\n]*\\\\\\n\\s+CMD curl -fsS http://127\\.0\\.0\\.1:" + admin + "/healthz");
        assertThat(dockerfile).containsPattern("(?m)^USER\\s+\\d+");

        Map<String, Object> services = map(yaml(DOCKER.resolve("compose.yml")).get(0).get("services"));
        for (String name : List.of("proxy-a", "proxy-b")) {
            Map<String, Object> service = map(services.get(name));
            assertThat(list(map(service.get("healthcheck")).get("test"))).as(name)
                    .contains("http://127.0.0.1:" + admin + "/healthz");
            assertThat(list(service.get("ports"))).as(name)
                    .anySatisfy(p -> assertThat(String.valueOf(p)).endsWith(":" + listen))
                    .anySatisfy(p -> assertThat(String.valueOf(p)).endsWith(":" + admin));
            Map<String, Object> build = map(service.get("build"));
            assertThat(DOCKER.resolve(String.valueOf(build.get("context"))).resolve(String.valueOf(build.get("dockerfile"))))
                    .exists();
        }
        Map<String, Object> demo = map(services.get("demo"));
        for (Object volume : list(demo.get("volumes"))) {
            assertThat(DOCKER.resolve(String.valueOf(volume).split(":")[0])).as("demo volume %s", volume).exists();
        }
        assertThat(DOCKER.resolve("demo/two-writers.sh")).exists();

        for (Map<String, Object> container : sidecarContainers()) {
            if (String.valueOf(container.get("name")).equals("s3-lock-proxy")) {
                for (String probe : List.of("livenessProbe", "readinessProbe")) {
                    Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
                    assertThat(get.get("port")).as(probe).isEqualTo(admin);
                }
                assertThat(String.valueOf(map(map(container.get("livenessProbe")).get("httpGet")).get("path")))
                        .isEqualTo("/healthz");
                assertThat(list(container.get("ports"))).anySatisfy(p -> assertThat(map(p).get("containerPort")).isEqualTo(admin));
            }
        }
    }

    /** ENV assignments of the Dockerfile's runtime stage, continuation lines joined. */
    private static Map<String, String> dockerfileEnv() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : dockerfileInstructions()) {
            if (line.startsWith("ENV ")) {
                Matcher m = Pattern.compile("(S3LP_[A-Z0-9_]+)=(\\S+)").matcher(line);
                while (m.find()) {
                    env.put(m.group(1), m.group(2));
                }
            }
        }
        return env;
    }

    private static List<String> dockerfileInstructions() throws IOException {
        String joined = read(DOCKER.resolve("Dockerfile")).replaceAll("\\\\\\n", " ");
        return joined.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static Map<String, String> withMinimalKeys(Map<String, String> env) {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.putAll(Map.of("S3LP_CREDENTIALS_0_ACCESSKEY", "a", "S3LP_CREDENTIALS_0_SECRETKEY", "s",
                "S3LP_UPSTREAM_ENDPOINT", "http://up:9000", "S3LP_UPSTREAM_ACCESSKEY", "u", "S3LP_UPSTREAM_SECRETKEY", "v"));
        return all;
    }

    private static ProxyConfig defaults() {
        return ConfigLoader.load(null, withMinimalKeys(Map.of()));
    }

    private static List<Map<String, Object>> sidecarContainers() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> doc : yaml(DOCKER.resolve("k8s/sidecar.yaml"))) {
            if ("Deployment".equals(doc.get("kind"))) {
                Map<String, Object> podSpec = map(map(map(doc.get("spec")).get("template")).get("spec"));
                list(podSpec.get("containers")).forEach(c -> out.add(map(c)));
            }
        }
        assertThat(out).extracting(c -> c.get("name")).contains("s3-lock-proxy");
        return out;
    }

    private static List<Map<String, Object>> yaml(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(r)) {
                docs.add(map(doc));
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }
}
