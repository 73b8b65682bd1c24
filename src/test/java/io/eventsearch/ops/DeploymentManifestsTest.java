package io.eventsearch.ops;

import static io.eventsearch.ops.DeployFiles.at;
import static io.eventsearch.ops.DeployFiles.integer;
import static io.eventsearch.ops.DeployFiles.map;
import static io.eventsearch.ops.DeployFiles.mapAt;
import static io.eventsearch.ops.DeployFiles.maps;
import static io.eventsearch.ops.DeployFiles.onlyKnownFields;
import static io.eventsearch.ops.DeployFiles.quantity;
import static io.eventsearch.ops.DeployFiles.string;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.eventsearch.ops.DeployFiles.ConfigKey;
import io.eventsearch.provider.demo.DemoProviderRoutes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * Offline validation of docker-compose.yml and deploy/kubernetes: each manifest read strictly into the Kubernetes
 * API model (fabric8: known kinds, known fields, types), and what matters for this service (probes on the management port, ports,
 * resources, graceful-shutdown timing, references between objects, every documented setting wired).
 */
class DeploymentManifestsTest {

    private static final String K8S = "deploy/kubernetes";
    private static final int HTTP_PORT = 8080;
    private static final int MANAGEMENT_PORT = 9000;
    private static final Map<String, String> HEALTH_PATHS = Map.of(
            "startupProbe", "/q/health/started",
            "livenessProbe", "/q/health/live",
            "readinessProbe", "/q/health/ready");

    /** What the Kubernetes API says an object of a kind is: its apiVersion and its class in the API model. */
    private record Schema(String apiVersion, Class<? extends HasMetadata> type) {
    }

    /** kind → schema of the objects this service deploys. */
    private static final Map<String, Schema> KNOWN_KINDS = Map.of(
            "ConfigMap", new Schema("v1", ConfigMap.class),
            "Secret", new Schema("v1", Secret.class),
            "Service", new Schema("v1", Service.class),
            "Deployment", new Schema("apps/v1", Deployment.class),
            "PodDisruptionBudget", new Schema("policy/v1", PodDisruptionBudget.class),
            "HorizontalPodAutoscaler", new Schema("autoscaling/v2", HorizontalPodAutoscaler.class),
            "NetworkPolicy", new Schema("networking.k8s.io/v1", NetworkPolicy.class));
    /** Kinds whose content is not under {@code spec}. */
    private static final Set<String> WITHOUT_SPEC = Set.of("ConfigMap", "Secret");
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Documented keys whose value in the ConfigMap deliberately differs from the documented default, and why. */
    private static final Map<String, String> DEVIATIONS_FROM_DEFAULTS = Map.of(
            "events.providers.<name>.time-zone", "the public provider gives Madrid local times",
            "events.ingestion.spool-directory", "the spool emptyDir: the root filesystem is read-only",
            "quarkus.datasource.jdbc.url", "the in-cluster PostgreSQL Service, not loopback",
            "quarkus.datasource.reactive.url", "the in-cluster PostgreSQL Service, not loopback",
            "quarkus.redis.hosts", "the in-cluster Redis Service, not loopback",
            "quarkus.http.proxy.proxy-address-forwarding", "behind the ingress the rate limit needs clients' addresses",
            "quarkus.http.proxy.allow-x-forwarded", "behind the ingress the rate limit needs clients' addresses");

    /** Settings that are credentials: in a Secret, never in a ConfigMap. */
    private static final Set<String> SECRET_SETTINGS = Set.of("QUARKUS_DATASOURCE_PASSWORD", "EVENTS_OPERATOR_PASSWORD");

    // --- Kubernetes: the objects ----------------------------------------------------------------------------

    record K8sObject(String file, Map<String, Object> body) {
        String kind() {
            return (String) body.get("kind");
        }

        String name() {
            return (String) map(body.get("metadata"), file + " " + body.get("kind") + " metadata").get("name");
        }

        @Override
        public String toString() {
            return file + " " + body.get("kind") + "/" + name();
        }
    }

    private static List<K8sObject> objects() {
        List<K8sObject> objects = new ArrayList<>();
        for (Path path : DeployFiles.yamlFilesUnder(K8S)) {
            if (path.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            for (Map<String, Object> body : DeployFiles.yamlDocuments(path)) {
                objects.add(new K8sObject(DeployFiles.ROOT.relativize(path).toString(), body));
            }
        }
        return objects;
    }

    /**
     * The object read strictly into the Kubernetes API model (fabric8): a value of the wrong type fails, and so
     * does a field the schema does not have (the model keeps such fields aside, so none may be kept anywhere).
     */
    private static HasMetadata typed(K8sObject object) {
        Schema schema = KNOWN_KINDS.get(object.kind());
        assertThat(schema).as("schema of %s", object).isNotNull();
        HasMetadata typed;
        try {
            typed = STRICT.convertValue(object.body(), schema.type());
        } catch (IllegalArgumentException e) {
            throw new AssertionError(object + " does not fit the Kubernetes schema: " + e.getMessage(), e);
        }
        noFieldsOutsideTheSchema(typed, object.toString());
        return typed;
    }

    private static void noFieldsOutsideTheSchema(Object node, String path) {
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                noFieldsOutsideTheSchema(item, path + "[" + i++ + "]");
            }
            return;
        }
        if (node instanceof Map<?, ?> entries) {
            entries.forEach((key, value) -> noFieldsOutsideTheSchema(value, path + "." + key));
            return;
        }
        if (node == null || !node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model.")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || Modifier.isStatic(getter.getModifiers()) || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                assertThat((Map<?, ?>) value).as("fields of %s that the Kubernetes schema does not have", path).isEmpty();
            } else {
                noFieldsOutsideTheSchema(value, path + "." + getter.getName().substring(3));
            }
        }
    }

    private static List<K8sObject> ofKind(String kind) {
        return objects().stream().filter(o -> kind.equals(o.kind())).toList();
    }

    private static K8sObject only(String kind) {
        List<K8sObject> found = ofKind(kind);
        assertThat(found).as("%s objects under %s", kind, K8S).hasSize(1);
        return found.get(0);
    }

    private static Map<String, Object> deployment() {
        return only("Deployment").body();
    }

    private static Map<String, Object> podSpec() {
        return mapAt(deployment(), "spec.template.spec", "Deployment");
    }

    private static Map<String, Object> container() {
        List<Map<String, Object>> containers = maps(podSpec().get("containers"), "Deployment containers");
        assertThat(containers).as("containers of the Deployment").hasSize(1);
        return containers.get(0);
    }

    private static Map<String, String> podLabels() {
        return stringMap(at(deployment(), "spec.template.metadata.labels", "Deployment"), "pod template labels");
    }

    private static Map<String, String> stringMap(Object value, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        map(value, what).forEach((k, v) -> out.put(k, string(v, what + "." + k)));
        return out;
    }

    /** name → number of the container's ports. */
    private static Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Map<String, Object> port : maps(container().get("ports"), "container ports")) {
            ports.put(string(port.get("name"), "container port name"),
                    integer(port.get("containerPort"), "containerPort"));
        }
        return ports;
    }

    /** A port given by number or by the name of a container port. */
    private static int resolvePort(Object port, String what) {
        if (port instanceof Integer number) {
            return number;
        }
        String name = string(port, what);
        assertThat(containerPorts()).as("%s names a container port", what).containsKey(name);
        return containerPorts().get(name);
    }

    /** Every ConfigMap and Secret entry, by object kind and name. */
    private static Map<String, Map<String, Object>> configData(String kind) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (K8sObject object : ofKind(kind)) {
            Map<String, Object> entries = new LinkedHashMap<>();
            for (String field : List.of("data", "stringData")) {
                if (object.body().get(field) != null) {
                    entries.putAll(map(object.body().get(field), object + "." + field));
                }
            }
            out.put(object.name(), entries);
        }
        return out;
    }

    @Test
    void everyManifestIsAKnownObjectWithANameAndOnlyKnownFields() {
        List<K8sObject> objects = objects();
        assertThat(objects).extracting(K8sObject::kind).containsExactlyInAnyOrderElementsOf(KNOWN_KINDS.keySet());
        Set<String> seen = new HashSet<>();
        for (K8sObject object : objects) {
            Map<String, Object> body = object.body();
            assertThat(body).as("%s", object.file()).containsKeys("apiVersion", "kind", "metadata");
            String kind = string(body.get("kind"), object.file() + " kind");
            assertThat(KNOWN_KINDS).as("known kinds").containsKey(kind);
            assertThat(body.get("apiVersion")).as("apiVersion of %s", object).isEqualTo(KNOWN_KINDS.get(kind).apiVersion());
            typed(object);
            Map<String, Object> metadata = map(body.get("metadata"), object + ".metadata");
            assertThat(string(metadata.get("name"), object + " metadata.name")).matches(DNS_NAME);
            for (String field : List.of("labels", "annotations")) {
                if (metadata.containsKey(field)) {
                    stringMap(metadata.get(field), object + ".metadata." + field);
                }
            }
            assertThat(seen.add(kind + "/" + object.name())).as("%s is defined once", object).isTrue();
            if (!WITHOUT_SPEC.contains(kind)) {
                assertThat(body.get("spec")).as("%s.spec", object).isInstanceOf(Map.class);
            }
        }
    }

    @Test
    void kustomizationListsEveryManifest() {
        Map<String, Object> kustomization = DeployFiles.yaml(K8S + "/kustomization.yaml");
        assertThat(kustomization.get("apiVersion")).isEqualTo("kustomize.config.k8s.io/v1beta1");
        assertThat(kustomization.get("kind")).isEqualTo("Kustomization");
        List<String> resources = DeployFiles.list(kustomization.get("resources"), "resources").stream()
                .map(r -> string(r, "resource")).toList();
        Set<String> manifests = new TreeSet<>();
        for (Path path : DeployFiles.yamlFilesUnder(K8S)) {
            String name = DeployFiles.ROOT.resolve(K8S).relativize(path).toString();
            if (!name.equals("kustomization.yaml")) {
                manifests.add(name);
            }
        }
        assertThat(resources).as("kustomization resources").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(manifests);
        String image = string(container().get("image"), "container image");
        for (Map<String, Object> override : maps(kustomization.getOrDefault("images", List.of()), "images")) {
            assertThat(override.get("name")).as("kustomize image override targets the container image")
                    .isEqualTo(image);
        }
    }

    @Test
    void deploymentFieldsAreThoseOfTheSchema() {
        typed(only("Deployment"));
        Map<String, Object> spec = mapAt(deployment(), "spec", "Deployment");
        Map<String, Object> container = container();
        assertThat(string(container.get("name"), "container name")).matches(DNS_NAME);
        assertThat(string(container.get("image"), "container image")).isNotBlank();
        for (String probe : HEALTH_PATHS.keySet()) {
            Map<String, Object> body = mapAt(container, probe, "container");
            body.forEach((field, value) -> {
                if (!field.equals("httpGet")) {
                    assertThat(integer(value, probe + "." + field)).isPositive();
                }
            });
        }
        Map<String, String> selector = stringMap(at(spec, "selector.matchLabels", "Deployment.spec"),
                "Deployment selector");
        assertThat(selector).as("the Deployment's selector matches its own pods").isNotEmpty();
        assertThat(podLabels()).containsAllEntriesOf(selector);
    }

    @Test
    void probesTargetTheManagementPortAndTheRealHealthPaths() {
        for (Map.Entry<String, String> probe : HEALTH_PATHS.entrySet()) {
            Map<String, Object> httpGet = mapAt(container(), probe.getKey() + ".httpGet", "container");
            assertThat(httpGet.get("path")).as("%s path", probe.getKey()).isEqualTo(probe.getValue());
            assertThat(resolvePort(httpGet.get("port"), probe.getKey() + " port")).as("%s port", probe.getKey())
                    .isEqualTo(MANAGEMENT_PORT);
        }
        // The paths above are Quarkus' defaults: the application must not move them.
        Properties properties = DeployFiles.applicationProperties();
        assertThat(properties.stringPropertyNames()).as("settings that would move the health endpoints")
                .noneMatch(k -> k.matches("(%[^.]+\\.)?quarkus\\.(smallrye-health\\..*path|management\\.root-path"
                        + "|http\\.non-application-root-path|http\\.root-path)"));
        assertThat(properties.getProperty("quarkus.management.enabled")).isEqualTo("true");
    }

    @Test
    void containerPortsAreTheConfiguredHttpAndManagementPorts() {
        assertThat(containerPorts()).containsExactlyInAnyOrderEntriesOf(
                Map.of("http", HTTP_PORT, "management", MANAGEMENT_PORT));
        Properties properties = DeployFiles.applicationProperties();
        assertThat(properties.getProperty("quarkus.http.port")).isEqualTo(String.valueOf(HTTP_PORT));
        assertThat(properties.getProperty("quarkus.management.port")).isEqualTo(String.valueOf(MANAGEMENT_PORT));
        Map<String, Object> settings = podEnvironment();
        assertThat(settings.get("QUARKUS_HTTP_PORT")).isEqualTo(String.valueOf(HTTP_PORT));
        assertThat(settings.get("QUARKUS_MANAGEMENT_PORT")).isEqualTo(String.valueOf(MANAGEMENT_PORT));
        Map<String, String> annotations = stringMap(at(deployment(), "spec.template.metadata.annotations",
                "Deployment"), "pod annotations");
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", String.valueOf(MANAGEMENT_PORT))
                .containsEntry("prometheus.io/path", "/q/metrics");
    }

    @Test
    void resourcesAreRequestedAndLimitedForAJvm() {
        Map<String, Object> resources = mapAt(container(), "resources", "container");
        Map<String, Object> requests = mapAt(resources, "requests", "resources");
        Map<String, Object> limits = mapAt(resources, "limits", "resources");
        for (String resource : List.of("cpu", "memory")) {
            BigDecimal request = quantity(requests.get(resource), "requests." + resource);
            BigDecimal limit = quantity(limits.get(resource), "limits." + resource);
            assertThat(request).as("%s request", resource).isPositive().isLessThanOrEqualTo(limit);
        }
        for (String resource : requests.keySet()) {
            if (limits.containsKey(resource)) {
                assertThat(quantity(requests.get(resource), resource))
                        .isLessThanOrEqualTo(quantity(limits.get(resource), resource));
            }
        }
        assertThat(quantity(limits.get("memory"), "limits.memory")).as("room for a JVM heap and more")
                .isGreaterThanOrEqualTo(BigDecimal.valueOf(512L << 20));
        assertThat(quantity(requests.get("cpu"), "requests.cpu")).isGreaterThanOrEqualTo(new BigDecimal("0.25"));
    }

    @Test
    void terminationGraceCoversThePreStopPauseAndTheShutdownTimeout() {
        Duration shutdown = DeployFiles.duration(string(podEnvironment().get("QUARKUS_SHUTDOWN_TIMEOUT"),
                "QUARKUS_SHUTDOWN_TIMEOUT"), "QUARKUS_SHUTDOWN_TIMEOUT");
        assertThat(DeployFiles.applicationProperties().getProperty("quarkus.shutdown.timeout"))
                .isEqualTo(shutdown.toSeconds() + "s");
        Map<String, Object> preStop = mapAt(container(), "lifecycle.preStop", "container");
        int pause;
        if (preStop.containsKey("sleep")) {
            pause = integer(at(preStop, "sleep.seconds", "preStop"), "preStop sleep");
        } else {
            List<Object> command = DeployFiles.list(at(preStop, "exec.command", "preStop"), "preStop command");
            assertThat(command).as("preStop pauses with sleep").hasSize(2).first().isEqualTo("sleep");
            pause = Integer.parseInt(string(command.get(1), "sleep seconds"));
        }
        assertThat(pause).as("preStop pause").isBetween(1, 15);
        int grace = integer(podSpec().get("terminationGracePeriodSeconds"), "terminationGracePeriodSeconds");
        assertThat(grace).as("terminationGracePeriodSeconds after a %ss pause and a %ss shutdown", pause,
                shutdown.toSeconds()).isGreaterThan(pause + (int) shutdown.toSeconds());
    }

    @Test
    void podsRunAsNonRootWithAReadOnlyRootFilesystem() {
        Map<String, Object> pod = mapAt(podSpec(), "securityContext", "pod spec");
        assertThat(pod.get("runAsNonRoot")).isEqualTo(Boolean.TRUE);
        assertThat(integer(pod.get("runAsUser"), "runAsUser")).isPositive();
        Map<String, Object> container = mapAt(container(), "securityContext", "container");
        assertThat(container.get("allowPrivilegeEscalation")).isEqualTo(Boolean.FALSE);
        assertThat(container.get("privileged")).isNotEqualTo(Boolean.TRUE);
        assertThat(DeployFiles.list(at(container, "capabilities.drop", "container securityContext"), "drop"))
                .contains("ALL");
        if (Boolean.TRUE.equals(container.get("readOnlyRootFilesystem"))) {
            Set<String> volumes = new HashSet<>();
            for (Map<String, Object> volume : maps(podSpec().get("volumes"), "volumes")) {
                volumes.add(string(volume.get("name"), "volume name"));
            }
            Map<String, String> mounts = new HashMap<>();
            for (Map<String, Object> mount : maps(container().get("volumeMounts"), "volumeMounts")) {
                String name = string(mount.get("name"), "volumeMount name");
                assertThat(volumes).as("volumes").contains(name);
                mounts.put(string(mount.get("mountPath"), "mountPath"), name);
            }
            assertThat(mounts).as("writable /tmp on a read-only root filesystem").containsKey("/tmp");
            Object spool = podEnvironment().get("EVENTS_INGESTION_SPOOL_DIRECTORY");
            if (spool != null) {
                assertThat(mounts.keySet()).as("the spool directory is a mounted volume")
                        .anyMatch(path -> string(spool, "spool directory").startsWith(path));
            }
        }
    }

    // --- Kubernetes: references -----------------------------------------------------------------------------

    @Test
    void everyConfigMapAndSecretReferenceResolves() {
        Map<String, Map<String, Object>> configMaps = configData("ConfigMap");
        Map<String, Map<String, Object>> secrets = configData("Secret");
        Map<String, Object> container = container();
        List<Map<String, Object>> envFrom = maps(container.getOrDefault("envFrom", List.of()), "envFrom");
        assertThat(envFrom).as("envFrom").isNotEmpty();
        for (Map<String, Object> source : envFrom) {
            if (source.containsKey("configMapRef")) {
                assertThat(configMaps).as("ConfigMaps").containsKey(refName(source.get("configMapRef")));
            } else {
                assertThat(secrets).as("Secrets").containsKey(refName(at(source, "secretRef", "envFrom")));
            }
        }
        for (Map<String, Object> env : maps(container.getOrDefault("env", List.of()), "env")) {
            assertThat(string(env.get("name"), "env name")).matches(ENV_NAME);
            if (!env.containsKey("valueFrom")) {
                continue;
            }
            Map<String, Object> from = map(env.get("valueFrom"), "valueFrom of " + env.get("name"));
            assertThat(from).hasSize(1);
            if (from.containsKey("configMapKeyRef")) {
                Map<String, Object> ref = map(from.get("configMapKeyRef"), "configMapKeyRef");
                assertThat(configMaps.get(refName(ref))).as("ConfigMap %s", ref.get("name")).isNotNull()
                        .containsKey(string(ref.get("key"), "key"));
            } else if (from.containsKey("secretKeyRef")) {
                Map<String, Object> ref = map(from.get("secretKeyRef"), "secretKeyRef");
                assertThat(secrets.get(refName(ref))).as("Secret %s", ref.get("name")).isNotNull()
                        .containsKey(string(ref.get("key"), "key"));
            } else {
                assertThat(from).containsOnlyKeys("fieldRef");
            }
        }
        for (Map<String, Object> volume : maps(podSpec().getOrDefault("volumes", List.of()), "volumes")) {
            if (volume.containsKey("configMap")) {
                assertThat(configMaps).containsKey(refName(volume.get("configMap")));
            }
            if (volume.containsKey("secret")) {
                assertThat(secrets).containsKey(string(map(volume.get("secret"), "secret").get("secretName"), "s"));
            }
        }
        configMaps.values().forEach(this::stringValuedEnvironment);
        secrets.values().forEach(this::stringValuedEnvironment);
    }

    private void stringValuedEnvironment(Map<String, Object> entries) {
        entries.forEach((key, value) -> {
            assertThat(key).as("variable name").matches(ENV_NAME);
            assertThat(value).as("value of %s (ConfigMap and Secret values are strings: quote them)", key)
                    .isInstanceOf(String.class);
        });
    }

    private static String refName(Object ref) {
        return string(map(ref, "reference").get("name"), "referenced name");
    }

    /**
     * What the container's environment holds: entries of the ConfigMaps and Secrets it takes with envFrom, then
     * its own env (a valueFrom counts as set, its value null).
     */
    private static Map<String, Object> podEnvironment() {
        Map<String, Map<String, Object>> configMaps = configData("ConfigMap");
        Map<String, Map<String, Object>> secrets = configData("Secret");
        Map<String, Object> environment = new LinkedHashMap<>();
        for (Map<String, Object> source : maps(container().getOrDefault("envFrom", List.of()), "envFrom")) {
            Map<String, Object> entries = source.containsKey("configMapRef")
                    ? configMaps.get(refName(source.get("configMapRef")))
                    : secrets.get(refName(source.get("secretRef")));
            if (entries != null) {
                String prefix = source.get("prefix") == null ? "" : string(source.get("prefix"), "prefix");
                entries.forEach((k, v) -> environment.put(prefix + k, v));
            }
        }
        for (Map<String, Object> env : maps(container().getOrDefault("env", List.of()), "env")) {
            environment.put(string(env.get("name"), "env name"), env.get("value"));
        }
        return environment;
    }

    @Test
    void theConfigurationDocListsTheKeysThisTestChecks() {
        List<ConfigKey> keys = DeployFiles.documentedConfigKeys();
        assertThat(keys).extracting(ConfigKey::key).hasSizeGreaterThanOrEqualTo(35).doesNotHaveDuplicates()
                .contains("events.providers.<name>.url", "events.ingestion.retry.jitter", "events.instance-id",
                        "events.search.cache.redis-retry-after", "events.demo-provider.max-latency",
                        "quarkus.datasource.password", "quarkus.shutdown.timeout");
        assertThat(keys).contains(new ConfigKey("events.demo-provider.enabled", "false"),
                new ConfigKey("quarkus.datasource.password", null),
                new ConfigKey("events.demo-provider.min-latency", "0ms"),
                new ConfigKey("events.ingestion.scheduled", "true"));
        assertThat(DeployFiles.envName("events.providers.fever.time-zone")).isEqualTo("EVENTS_PROVIDERS_FEVER_TIME_ZONE");
        assertThat(DeployFiles.envName("quarkus.log.category.\"io.eventsearch\".level"))
                .isEqualTo("QUARKUS_LOG_CATEGORY__IO_EVENTSEARCH__LEVEL");
    }

    @Test
    void everyDocumentedSettingIsWiredFromTheConfigMapOrTheSecret() {
        Map<String, Object> environment = podEnvironment();
        Set<String> providers = providersConfigured(environment.keySet());
        assertThat(providers).as("an example provider (EVENTS_PROVIDERS_<NAME>_URL)").isNotEmpty();
        for (ConfigKey key : DeployFiles.documentedConfigKeys()) {
            if (key.perProvider()) {
                for (String provider : providers) {
                    assertThat(environment).as("%s for provider %s", key.key(), provider)
                            .containsKey(key.envName(provider));
                }
            } else {
                assertThat(environment).as("%s (%s)", key.key(), key.envName()).containsKey(key.envName());
            }
        }
        Set<String> inConfigMaps = new HashSet<>();
        configData("ConfigMap").values().forEach(entries -> inConfigMaps.addAll(entries.keySet()));
        Set<String> inSecrets = new HashSet<>();
        configData("Secret").values().forEach(entries -> inSecrets.addAll(entries.keySet()));
        for (String secret : SECRET_SETTINGS) {
            assertThat(inSecrets).as("credentials in a Secret").contains(secret);
            assertThat(inConfigMaps).as("credentials never in a ConfigMap").doesNotContain(secret);
        }
        assertOnlyDocumentedSettings(environment.keySet(), "the pod's environment");
    }

    @Test
    void configMapValuesAreTheDocumentedDefaults() {
        Map<String, Object> configMap = new HashMap<>();
        configData("ConfigMap").values().forEach(configMap::putAll);
        Set<String> providers = providersConfigured(configMap.keySet());
        List<String> checked = new ArrayList<>();
        for (ConfigKey key : DeployFiles.documentedConfigKeys()) {
            if (key.defaultValue() == null || DEVIATIONS_FROM_DEFAULTS.containsKey(key.key())) {
                continue;
            }
            List<String> names = key.perProvider()
                    ? providers.stream().map(key::envName).toList()
                    : List.of(key.envName());
            for (String name : names) {
                if (configMap.containsKey(name)) {
                    assertThat(configMap.get(name)).as("%s (documented default of %s)", name, key.key())
                            .isEqualTo(key.defaultValue());
                    checked.add(name);
                }
            }
        }
        assertThat(checked).as("ConfigMap values compared with the documented defaults").hasSizeGreaterThan(25);
        for (String deviation : DEVIATIONS_FROM_DEFAULTS.keySet()) {
            assertThat(DeployFiles.documentedConfigKeys()).extracting(ConfigKey::key)
                    .as("a deviation names a documented key").contains(deviation);
        }
    }

    private static Set<String> providersConfigured(Set<String> environment) {
        Pattern url = Pattern.compile("EVENTS_PROVIDERS_([A-Z0-9]+)_URL");
        Set<String> providers = new TreeSet<>();
        for (String name : environment) {
            Matcher m = url.matcher(name);
            if (m.matches()) {
                providers.add(m.group(1).toLowerCase(java.util.Locale.ROOT));
            }
        }
        return providers;
    }

    /** An EVENTS_ or QUARKUS_ variable that is no documented setting is most likely a typo, silently ignored. */
    private static void assertOnlyDocumentedSettings(Set<String> variables, String where) {
        List<ConfigKey> keys = DeployFiles.documentedConfigKeys();
        for (String variable : variables) {
            if (!variable.startsWith("EVENTS_") && !variable.startsWith("QUARKUS_")) {
                continue;
            }
            assertThat(keys).as("%s in %s is a documented setting (a typo is silently ignored)", variable, where)
                    .anyMatch(key -> key.perProvider() ? key.envPattern().matcher(variable).matches()
                            : key.envName().equals(variable));
        }
    }

    @Test
    void autoscalerAndDisruptionBudgetTargetTheDeployment() {
        Map<String, Object> deployment = deployment();
        String name = only("Deployment").name();
        Map<String, String> selector = stringMap(at(deployment, "spec.selector.matchLabels", "Deployment"),
                "Deployment selector");

        Map<String, Object> hpa = mapAt(only("HorizontalPodAutoscaler").body(), "spec", "HPA");
        Map<String, Object> target = mapAt(hpa, "scaleTargetRef", "HPA");
        assertThat(target).containsEntry("apiVersion", "apps/v1").containsEntry("kind", "Deployment")
                .containsEntry("name", name);
        int min = integer(hpa.get("minReplicas"), "minReplicas");
        assertThat(min).as("HPA minReplicas").isGreaterThanOrEqualTo(2);
        assertThat(integer(hpa.get("maxReplicas"), "maxReplicas")).isGreaterThanOrEqualTo(min);
        List<Map<String, Object>> metrics = maps(hpa.get("metrics"), "HPA metrics");
        assertThat(metrics).as("a CPU utilisation target").anySatisfy(metric -> {
            assertThat(metric.get("type")).isEqualTo("Resource");
            assertThat(at(metric, "resource.name", "metric")).isEqualTo("cpu");
            assertThat(at(metric, "resource.target.type", "metric")).isEqualTo("Utilization");
            assertThat(integer(at(metric, "resource.target.averageUtilization", "metric"), "utilization"))
                    .isBetween(1, 100);
        });
        assertThat(mapAt(container(), "resources.requests", "container"))
                .as("resources.requests.cpu, what the HPA's utilisation is relative to").containsKey("cpu");

        Map<String, Object> pdb = mapAt(only("PodDisruptionBudget").body(), "spec", "PDB");
        assertThat(pdb.keySet().stream().filter(k -> k.equals("minAvailable") || k.equals("maxUnavailable")))
                .as("exactly one of minAvailable and maxUnavailable").hasSize(1);
        assertThat(stringMap(at(pdb, "selector.matchLabels", "PDB"), "PDB selector")).isEqualTo(selector);
        if (pdb.get("minAvailable") instanceof Integer minAvailable) {
            assertThat(minAvailable).as("a drain can proceed at the HPA's minimum").isLessThan(min);
        }
    }

    @Test
    void serviceSelectsTheDeploymentPodsOnBothPorts() {
        Map<String, Object> spec = mapAt(only("Service").body(), "spec", "Service");
        Map<String, String> selector = stringMap(spec.get("selector"), "Service selector");
        assertThat(selector).isNotEmpty();
        assertThat(podLabels()).as("pod labels selected by the Service").containsAllEntriesOf(selector);
        Map<Integer, Integer> ports = new HashMap<>();
        for (Map<String, Object> port : maps(spec.get("ports"), "Service ports")) {
            int number = integer(port.get("port"), "Service port");
            ports.put(number, resolvePort(port.getOrDefault("targetPort", number), "targetPort"));
            string(port.get("name"), "Service port name");
        }
        assertThat(ports).containsExactlyInAnyOrderEntriesOf(
                Map.of(HTTP_PORT, HTTP_PORT, MANAGEMENT_PORT, MANAGEMENT_PORT));
    }

    // --- docker-compose.yml ---------------------------------------------------------------------------------

    private static final Set<String> COMPOSE_TOP_LEVEL = Set.of("version", "name", "services", "volumes",
            "networks", "configs", "secrets");
    private static final Set<String> COMPOSE_SERVICE_FIELDS = Set.of("build", "image", "command", "entrypoint",
            "environment", "env_file", "ports", "expose", "volumes", "depends_on", "healthcheck", "restart",
            "stop_grace_period", "stop_signal", "networks", "deploy", "container_name", "labels", "profiles", "user",
            "working_dir", "read_only", "tmpfs", "ulimits", "logging", "init", "mem_limit", "cpus", "pull_policy",
            "security_opt", "cap_add", "cap_drop", "extra_hosts", "hostname", "platform");
    private static final Set<String> COMPOSE_HEALTHCHECK_FIELDS = Set.of("test", "interval", "timeout", "retries",
            "start_period", "start_interval", "disable");

    private static Map<String, Map<String, Object>> composeServices() {
        Map<String, Object> compose = DeployFiles.yaml("docker-compose.yml");
        compose.keySet().stream().filter(k -> !k.startsWith("x-"))
                .forEach(k -> assertThat(COMPOSE_TOP_LEVEL).as("compose top-level field").contains(k));
        Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        map(compose.get("services"), "services").forEach((name, body) -> services.put(name, map(body, name)));
        return services;
    }

    /** A compose service's environment as a map, from either the mapping or the list form. */
    private static Map<String, String> composeEnvironment(Map<String, Object> service, String name) {
        Map<String, String> out = new LinkedHashMap<>();
        Object environment = service.get("environment");
        if (environment instanceof List<?> entries) {
            for (Object entry : entries) {
                String text = string(entry, name + " environment entry");
                int eq = text.indexOf('=');
                out.put(eq < 0 ? text : text.substring(0, eq), eq < 0 ? null : text.substring(eq + 1));
            }
        } else if (environment != null) {
            map(environment, name + ".environment").forEach((k, v) -> {
                assertThat(v).as("%s of %s: a string or a number (compose refuses booleans)", k, name)
                        .isInstanceOfAny(String.class, Number.class);
                out.put(k, v.toString());
            });
        }
        return out;
    }

    /** {@code ${VAR:-default}} as compose resolves it with VAR unset. */
    private static String withDefaults(String value) {
        return value == null ? null : value.replaceAll("\\$\\{[A-Za-z0-9_]+:-([^}]*)}", "$1");
    }

    @Test
    void composeHasTheServiceItsDependenciesAndTheDemoProvider() {
        Map<String, Map<String, Object>> services = composeServices();
        assertThat(services).containsKeys("postgres", "redis", "event-search", "demo-provider");
        assertThat(string(services.get("postgres").get("image"), "postgres image")).startsWith("postgres:15");
        assertThat(string(services.get("redis").get("image"), "redis image")).startsWith("redis:7");
        Set<String> declaredVolumes = new HashSet<>();
        Object volumes = DeployFiles.yaml("docker-compose.yml").get("volumes");
        if (volumes != null) {
            declaredVolumes.addAll(map(volumes, "volumes").keySet());
        }
        services.forEach((name, service) -> {
            onlyKnownFields(service, COMPOSE_SERVICE_FIELDS, "compose service " + name);
            assertThat(service.containsKey("image") || service.containsKey("build"))
                    .as("%s has an image or a build", name).isTrue();
            Map<String, Object> healthcheck = mapAt(service, "healthcheck", name);
            onlyKnownFields(healthcheck, COMPOSE_HEALTHCHECK_FIELDS, name + ".healthcheck");
            assertThat(healthcheck.get("test")).as("%s healthcheck test", name).isNotNull();
            if (service.get("depends_on") != null) {
                map(service.get("depends_on"), name + ".depends_on").forEach((dependency, condition) -> {
                    assertThat(services).as("%s depends on a defined service", name).containsKey(dependency);
                    assertThat(at(map(condition, name + " depends_on " + dependency), "condition", name))
                            .isIn("service_started", "service_healthy", "service_completed_successfully");
                });
            }
            for (Object volume : DeployFiles.list(service.getOrDefault("volumes", List.of()), name + ".volumes")) {
                String source = string(volume, name + " volume").split(":")[0];
                if (!source.startsWith(".") && !source.startsWith("/")) {
                    assertThat(declaredVolumes).as("named volume of %s", name).contains(source);
                }
            }
            assertOnlyDocumentedSettings(composeEnvironment(service, name).keySet(), "compose service " + name);
        });
    }

    @Test
    void composeBuildsTheServiceFromTheJvmDockerfileAndPublishesItsPorts() {
        Map<String, Map<String, Object>> services = composeServices();
        for (String name : List.of("event-search", "demo-provider")) {
            Map<String, Object> service = services.get(name);
            Map<String, Object> build = mapAt(service, "build", name);
            Path context = DeployFiles.ROOT.resolve(string(build.get("context"), name + " build context"));
            assertThat(context).isDirectory();
            assertThat(context.resolve(string(build.get("dockerfile"), name + " dockerfile")).normalize())
                    .as("%s's Dockerfile", name).isRegularFile()
                    .isEqualTo(DeployFiles.file("src/main/docker/Dockerfile.jvm"));
        }
        Map<String, Object> app = services.get("event-search");
        List<String> ports = DeployFiles.list(app.get("ports"), "event-search ports").stream()
                .map(p -> string(p, "port mapping (quote it: YAML 1.1 reads 80:80 as a number)")).toList();
        Map<Integer, Integer> published = new HashMap<>();
        for (String port : ports) {
            String[] parts = port.split(":");
            published.put(Integer.parseInt(parts[parts.length - 1]), Integer.parseInt(parts[parts.length - 2]));
        }
        assertThat(published).as("container port → host port")
                .containsEntry(HTTP_PORT, HTTP_PORT).containsEntry(MANAGEMENT_PORT, MANAGEMENT_PORT);
        Map<String, String> environment = composeEnvironment(app, "event-search");
        assertThat(environment.getOrDefault("QUARKUS_HTTP_PORT", String.valueOf(HTTP_PORT)))
                .isEqualTo(String.valueOf(HTTP_PORT));
        assertThat(environment.getOrDefault("QUARKUS_MANAGEMENT_PORT", String.valueOf(MANAGEMENT_PORT)))
                .isEqualTo(String.valueOf(MANAGEMENT_PORT));
        for (String name : List.of("event-search", "demo-provider")) {
            assertThat(DeployFiles.list(at(services.get(name), "healthcheck.test", name), "test"))
                    .as("%s is healthy when ready, on the management port", name)
                    .contains("http://localhost:" + MANAGEMENT_PORT + "/q/health/ready");
        }
        assertThat(DeployFiles.read("docker-compose.yml")).as("says the jar must be packaged first")
                .contains("./mvnw package");
        Object grace = app.get("stop_grace_period");
        assertThat(DeployFiles.duration(string(grace, "stop_grace_period"), "stop_grace_period"))
                .as("stop_grace_period covers quarkus.shutdown.timeout").isGreaterThan(Duration.ofSeconds(30));
    }

    @Test
    void composeWiresTheServiceToItsDatabaseRedisAndDemoProvider() {
        Map<String, Map<String, Object>> services = composeServices();
        Map<String, Object> app = services.get("event-search");
        Map<String, String> environment = composeEnvironment(app, "event-search");
        Map<String, Object> dependsOn = map(app.get("depends_on"), "event-search.depends_on");
        for (String dependency : List.of("postgres", "redis", "demo-provider")) {
            assertThat(at(map(dependsOn.get(dependency), dependency), "condition", "depends_on"))
                    .as("event-search waits for %s to be healthy", dependency).isEqualTo("service_healthy");
        }

        URI feed = URI.create(environment.get("EVENTS_PROVIDERS_DEMO_URL"));
        assertThat(feed.getPath()).isEqualTo(DemoProviderRoutes.PATH);
        assertThat(services).as("the feed's host is a compose service").containsKey(feed.getHost());
        Map<String, String> demo = composeEnvironment(services.get(feed.getHost()), feed.getHost());
        assertThat(demo).containsEntry("EVENTS_DEMO_PROVIDER_ENABLED", "true")
                .containsEntry("EVENTS_INGESTION_SCHEDULED", "false");
        assertThat(feed.getPort()).as("the demo provider's HTTP port")
                .isEqualTo(Integer.parseInt(demo.getOrDefault("QUARKUS_HTTP_PORT", String.valueOf(HTTP_PORT))));
        assertThat(demo).containsKeys("EVENTS_DEMO_PROVIDER_FAILURE_RATIO", "EVENTS_DEMO_PROVIDER_MIN_LATENCY",
                "EVENTS_DEMO_PROVIDER_MAX_LATENCY");
        assertThat(withDefaults(demo.get("EVENTS_DEMO_PROVIDER_FAILURE_RATIO"))).isEqualTo("0");

        for (Map.Entry<String, String> expected : Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://postgres:5432/",
                "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://postgres:5432/",
                "QUARKUS_REDIS_HOSTS", "redis://redis:6379").entrySet()) {
            assertThat(environment.get(expected.getKey())).as(expected.getKey()).startsWith(expected.getValue());
        }
        String database = environment.get("QUARKUS_DATASOURCE_JDBC_URL").replaceAll(".*/", "");
        Map<String, String> postgres = composeEnvironment(services.get("postgres"), "postgres");
        assertThat(postgres.get("POSTGRES_DB")).isEqualTo(database);
        assertThat(withDefaults(environment.get("QUARKUS_DATASOURCE_PASSWORD")))
                .isEqualTo(withDefaults(postgres.get("POSTGRES_PASSWORD")));
        for (String name : List.of("event-search", "demo-provider")) {
            assertThat(composeEnvironment(services.get(name), name))
                    .containsEntry("QUARKUS_DATASOURCE_JDBC_URL", environment.get("QUARKUS_DATASOURCE_JDBC_URL"));
        }
    }

    @Test
    void theManagementPortIsOpenOnlyToPrometheusAndOperators() {
        Map<String, Object> spec = map(only("NetworkPolicy").body().get("spec"), "NetworkPolicy spec");
        assertThat(map(spec.get("podSelector"), "podSelector").get("matchLabels"))
                .isEqualTo(Map.of("app.kubernetes.io/name", "event-search"));
        assertThat(spec.get("policyTypes")).isEqualTo(List.of("Ingress"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) spec.get("ingress");
        Map<Integer, List<Object>> fromByPort = new HashMap<>();
        for (Map<String, Object> rule : rules) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> ports = (List<Map<String, Object>>) rule.get("ports");
            for (Map<String, Object> port : ports) {
                fromByPort.put((Integer) port.get("port"), rule.containsKey("from") ? (List<Object>) rule.get("from") : null);
            }
        }
        assertThat(fromByPort).containsOnlyKeys(8080, 9000);
        assertThat(fromByPort.get(8080)).as("the public API: from anywhere").isNull();
        assertThat(fromByPort.get(9000)).as("management: only from chosen peers").isNotNull().hasSize(2);
    }
}
