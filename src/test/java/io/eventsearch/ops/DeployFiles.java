package io.eventsearch.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reading the repository's deployable files for the static checks: YAML (multi-document, duplicate keys refused),
 * untyped navigation with readable failures, the configuration tables of {@code docs/configuration.md}, Quarkus'
 * environment variable names, and Kubernetes quantities and durations.
 */
final class DeployFiles {

    /** Surefire runs in the module directory, which is the repository root. */
    static final Path ROOT = Path.of("").toAbsolutePath();

    /** The page that documents every configuration key, in tables with a {@code Key} column. */
    static final String CONFIGURATION_DOC = "docs/configuration.md";

    private DeployFiles() {
    }

    static Path file(String relative) {
        Path path = ROOT.resolve(relative);
        assertThat(path).as("%s in the repository", relative).isRegularFile();
        return path;
    }

    static String read(String relative) {
        try {
            return Files.readString(file(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- YAML -----------------------------------------------------------------------------------------------

    /** Every document of a YAML file; empty documents (a trailing {@code ---}) are left out. */
    static List<Map<String, Object>> yamlDocuments(Path path) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            int index = 0;
            for (Object document : yaml.loadAll(reader)) {
                if (document != null) {
                    documents.add(map(document, ROOT.relativize(path) + " document " + index));
                }
                index++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    static Map<String, Object> yaml(String relative) {
        List<Map<String, Object>> documents = yamlDocuments(file(relative));
        assertThat(documents).as("documents in %s", relative).hasSize(1);
        return documents.get(0);
    }

    static List<Path> yamlFilesUnder(String relative) {
        try (Stream<Path> files = Files.walk(ROOT.resolve(relative))) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String what) {
        assertThat(value).as("%s must be a mapping", what).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value, String what) {
        assertThat(value).as("%s must be a list", what).isInstanceOf(List.class);
        return (List<Object>) value;
    }

    static List<Map<String, Object>> maps(Object value, String what) {
        List<Object> items = list(value, what);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(map(items.get(i), what + "[" + i + "]"));
        }
        return out;
    }

    static String string(Object value, String what) {
        assertThat(value).as("%s must be a string", what).isInstanceOf(String.class);
        return (String) value;
    }

    static int integer(Object value, String what) {
        assertThat(value).as("%s must be an integer", what).isInstanceOf(Integer.class);
        return (Integer) value;
    }

    /** The value at a dotted path ({@code spec.template.spec}); fails naming the missing step. */
    static Object at(Map<String, Object> root, String path, String what) {
        Object current = root;
        StringBuilder walked = new StringBuilder(what);
        for (String step : path.split("\\.")) {
            Map<String, Object> node = map(current, walked.toString());
            walked.append('.').append(step);
            assertThat(node).as("%s is required", walked).containsKey(step);
            current = node.get(step);
        }
        return current;
    }

    static Map<String, Object> mapAt(Map<String, Object> root, String path, String what) {
        return map(at(root, path, what), what + "." + path);
    }

    /** Rejects fields a schema would not know: the usual way a typo ({@code livenesProbe}) goes unnoticed. */
    static void onlyKnownFields(Map<String, Object> node, java.util.Set<String> known, String what) {
        assertThat(node.keySet()).as("fields of %s", what).isSubsetOf(known);
    }

    // --- Configuration --------------------------------------------------------------------------------------

    /** A key of {@code docs/configuration.md} and its documented default (null when none is a plain value). */
    record ConfigKey(String key, String defaultValue) {

        String envName() {
            return DeployFiles.envName(key);
        }

        boolean perProvider() {
            return key.contains("<name>");
        }

        /** The environment variable for one provider, for keys of {@code events.providers.<name>.*}. */
        String envName(String provider) {
            return envName().replace("<NAME>", provider.toUpperCase(Locale.ROOT));
        }

        /** Matches this key's variable for any provider name (Quarkus map keys from the environment). */
        Pattern envPattern() {
            return Pattern.compile(Pattern.quote(envName()).replace("<NAME>", "\\E[A-Z0-9]+\\Q"));
        }
    }

    /** Quarkus' environment variable name of a key: upper case, {@code .}, {@code -} and {@code "} become {@code _}. */
    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[.\\-\"]", "_");
    }

    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

    /**
     * Every key of the configuration tables of {@link #CONFIGURATION_DOC}: the tables whose header has a
     * {@code Key} column. A cell may hold several keys, later ones abbreviated to their last segment
     * ({@code quarkus.datasource.username} / {@code password}). The default is the {@code Default} column's
     * backticked value, profile variants in parentheses left out, when it is one plain value for the row's keys.
     */
    static List<ConfigKey> documentedConfigKeys() {
        List<ConfigKey> keys = new ArrayList<>();
        int keyColumn = -1;
        int defaultColumn = -1;
        for (String line : read(CONFIGURATION_DOC).split("\n")) {
            if (!line.startsWith("|")) {
                keyColumn = -1;
                continue;
            }
            List<String> cells = cells(line);
            if (keyColumn < 0) {
                // a table's header row
                defaultColumn = -1;
                for (int i = 0; i < cells.size(); i++) {
                    String header = cells.get(i).toLowerCase(Locale.ROOT);
                    if (header.equals("key")) {
                        keyColumn = i;
                    } else if (header.startsWith("default")) {
                        defaultColumn = i;
                    }
                }
                if (keyColumn < 0) {
                    keyColumn = Integer.MIN_VALUE; // not a configuration table: skip to its end
                }
                continue;
            }
            if (keyColumn == Integer.MIN_VALUE || cells.get(0).matches("-+") || keyColumn >= cells.size()) {
                continue;
            }
            List<String> rowKeys = new ArrayList<>();
            Matcher m = BACKTICKED.matcher(cells.get(keyColumn));
            while (m.find()) {
                String token = m.group(1);
                if (token.startsWith("events.") || token.startsWith("quarkus.")) {
                    rowKeys.add(token);
                } else if (!rowKeys.isEmpty()) {
                    String previous = rowKeys.get(rowKeys.size() - 1);
                    rowKeys.add(previous.substring(0, previous.lastIndexOf('.') + 1) + token);
                }
            }
            List<String> defaults = defaultColumn >= 0 && defaultColumn < cells.size()
                    ? defaults(cells.get(defaultColumn), rowKeys.size())
                    : List.of();
            for (int i = 0; i < rowKeys.size(); i++) {
                keys.add(new ConfigKey(rowKeys.get(i), defaults.isEmpty() ? null : defaults.get(i)));
            }
        }
        return keys;
    }

    private static List<String> cells(String row) {
        String inner = row.strip();
        inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
        List<String> cells = new ArrayList<>();
        for (String cell : inner.split("\\|", -1)) {
            cells.add(cell.strip());
        }
        return cells;
    }

    private static List<String> defaults(String cell, int keys) {
        String plain = cell.replaceAll("\\([^)]*\\)", "");
        List<String> values = new ArrayList<>();
        Matcher m = BACKTICKED.matcher(plain);
        while (m.find()) {
            values.add(m.group(1));
        }
        if (values.size() == keys) {
            return values;
        }
        if (values.size() == 1 && !plain.contains("/")) {
            return java.util.Collections.nCopies(keys, values.get(0));
        }
        return List.of();
    }

    static Properties applicationProperties() {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file("src/main/resources/application.properties"))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    // --- Units ----------------------------------------------------------------------------------------------

    private static final Pattern QUANTITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?");
    private static final Map<String, BigDecimal> QUANTITY_SUFFIXES = new LinkedHashMap<>();

    static {
        QUANTITY_SUFFIXES.put("", BigDecimal.ONE);
        QUANTITY_SUFFIXES.put("m", new BigDecimal("0.001"));
        QUANTITY_SUFFIXES.put("k", BigDecimal.valueOf(1_000L));
        QUANTITY_SUFFIXES.put("M", BigDecimal.valueOf(1_000_000L));
        QUANTITY_SUFFIXES.put("G", BigDecimal.valueOf(1_000_000_000L));
        QUANTITY_SUFFIXES.put("T", BigDecimal.valueOf(1_000_000_000_000L));
        QUANTITY_SUFFIXES.put("Ki", BigDecimal.valueOf(1L << 10));
        QUANTITY_SUFFIXES.put("Mi", BigDecimal.valueOf(1L << 20));
        QUANTITY_SUFFIXES.put("Gi", BigDecimal.valueOf(1L << 30));
        QUANTITY_SUFFIXES.put("Ti", BigDecimal.valueOf(1L << 40));
    }

    /** A Kubernetes resource quantity ({@code 500m}, {@code 2}, {@code 1Gi}) in base units (cores, bytes). */
    static BigDecimal quantity(Object value, String what) {
        String text = value instanceof Number ? value.toString() : string(value, what);
        Matcher m = QUANTITY.matcher(text);
        assertThat(m.matches()).as("%s is not a Kubernetes quantity: %s", what, text).isTrue();
        return new BigDecimal(m.group(1)).multiply(QUANTITY_SUFFIXES.get(m.group(2) == null ? "" : m.group(2)));
    }

    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h)");

    /** A Quarkus duration in its short form ({@code 30s}, {@code 500ms}). */
    static Duration duration(String text, String what) {
        Matcher m = DURATION.matcher(text);
        assertThat(m.matches()).as("%s is not a simple duration: %s", what, text).isTrue();
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
