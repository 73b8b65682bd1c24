package io.eventsearch.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Static lint of src/main/docker: no Docker engine runs here, so the images are checked as files. Base image,
 * non-root user, the two ports, the Quarkus build outputs as the only things copied (and not hidden by
 * .dockerignore), and the JVM flags EventSearchMain relies on.
 */
class DockerfilesTest {

    private static final Set<String> INSTRUCTIONS = Set.of("FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD",
            "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL");

    record Instruction(String keyword, String arguments) {
        List<String> words() {
            return Arrays.stream(arguments.replaceAll("[\\[\\],\"]", " ").trim().split("\\s+")).toList();
        }
    }

    /** Instructions with continuation lines joined and comments left out. */
    static List<Instruction> instructions(String relative) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : DeployFiles.read(relative).split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
                continue;
            }
            boolean continues = line.endsWith("\\");
            pending.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                String text = pending.toString().strip();
                pending.setLength(0);
                int space = text.indexOf(' ');
                String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
                assertThat(INSTRUCTIONS).as("instruction in %s: %s", relative, text).contains(keyword);
                out.add(new Instruction(keyword, space < 0 ? "" : text.substring(space + 1).strip()));
            }
        }
        assertThat(pending.toString()).as("%s ends inside a continued line", relative).isBlank();
        return out;
    }

    private static List<Instruction> of(List<Instruction> all, String keyword) {
        return all.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The sources of every COPY/ADD (flags and the destination left out); COPY --from is another stage's. */
    private static List<String> copySources(List<Instruction> all) {
        List<String> sources = new ArrayList<>();
        for (Instruction copy : all) {
            if (!copy.keyword().equals("COPY") && !copy.keyword().equals("ADD")) {
                continue;
            }
            List<String> words = copy.words();
            if (words.stream().anyMatch(w -> w.startsWith("--from"))) {
                continue;
            }
            List<String> operands = words.stream().filter(w -> !w.startsWith("--")).toList();
            assertThat(operands).as("%s needs a source and a destination", copy).hasSizeGreaterThanOrEqualTo(2);
            sources.addAll(operands.subList(0, operands.size() - 1));
        }
        return sources;
    }

    /** Docker's .dockerignore: the last pattern matching a path (or a parent of it) decides; ! re-includes. */
    static boolean sentToTheBuild(String path) {
        boolean included = true;
        for (String raw : DeployFiles.read(".dockerignore").split("\n")) {
            String pattern = raw.strip();
            if (pattern.isEmpty() || pattern.startsWith("#")) {
                continue;
            }
            boolean negated = pattern.startsWith("!");
            String glob = (negated ? pattern.substring(1) : pattern).replaceAll("/+$", "");
            var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            for (Path p = Path.of(path); p != null; p = p.getParent()) {
                if (matcher.matches(p)) {
                    included = negated;
                    break;
                }
            }
        }
        return included;
    }

    private static void commonRules(String dockerfile, Set<String> expectedSources) {
        List<Instruction> all = instructions(dockerfile);
        assertThat(all.stream().filter(i -> !i.keyword().equals("ARG")).findFirst())
                .as("%s starts with FROM", dockerfile).hasValueSatisfying(first -> {
                    assertThat(first.keyword()).isEqualTo("FROM");
                    assertThat(first.words().get(0)).as("base image with a tag").matches("[^:\\s]+:[^\\s]+");
                });
        List<Instruction> users = of(all, "USER");
        assertThat(users).as("%s sets a USER", dockerfile).isNotEmpty();
        String user = users.get(users.size() - 1).words().get(0).split(":")[0];
        assertThat(user).as("%s runs as a non-root user", dockerfile).isNotIn("root", "0");

        List<String> exposed = of(all, "EXPOSE").stream().flatMap(i -> i.words().stream())
                .map(p -> p.replace("/tcp", "")).toList();
        assertThat(exposed).as("%s exposes the API and management ports", dockerfile).contains("8080", "9000");

        List<String> sources = copySources(all);
        assertThat(sources).as("%s copies the Quarkus build outputs, nothing else", dockerfile)
                .containsExactlyInAnyOrderElementsOf(expectedSources);
        for (String source : sources) {
            String example = source.replace("*", "x").replaceAll("/$", "");
            assertThat(sentToTheBuild(example)).as("%s is sent to the build (.dockerignore)", source).isTrue();
        }
        assertThat(sentToTheBuild("src/main/java/io/eventsearch/EventSearchMain.java"))
                .as(".dockerignore keeps sources out of the build context").isFalse();

        String launch = String.join(" ", of(all, "ENTRYPOINT").stream().map(Instruction::arguments).toList())
                + " " + String.join(" ", of(all, "ENV").stream().map(Instruction::arguments).toList())
                + " " + String.join(" ", of(all, "CMD").stream().map(Instruction::arguments).toList());
        assertThat(launch).as("%s passes what EventSearchMain sets (undecodable URIs get the JSON 400)", dockerfile)
                .contains("-Dvertx.disableURIValidation=true");
        assertThat(launch).as("%s listens on all interfaces", dockerfile).contains("-Dquarkus.http.host=0.0.0.0");
        assertThat(of(all, "ENTRYPOINT")).as("%s has an ENTRYPOINT", dockerfile).hasSize(1);
    }

    @Test
    void jvmImageFollowsTheQuarkusFastJarLayout() {
        String dockerfile = "src/main/docker/Dockerfile.jvm";
        commonRules(dockerfile, Set.of("target/quarkus-app/lib/", "target/quarkus-app/*.jar",
                "target/quarkus-app/app/", "target/quarkus-app/quarkus/"));
        List<Instruction> all = instructions(dockerfile);
        assertThat(of(all, "ENV")).extracting(Instruction::arguments)
                .anyMatch(env -> env.contains("JAVA_APP_JAR=\"/deployments/quarkus-run.jar\""))
                .anyMatch(env -> env.contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager"));
        assertThat(of(all, "COPY")).extracting(Instruction::words)
                .allSatisfy(words -> assertThat(words.get(words.size() - 1)).startsWith("/deployments/"));
    }

    @Test
    void nativeImageRunsTheRunnerItCopies() {
        String dockerfile = "src/main/docker/Dockerfile.native";
        commonRules(dockerfile, Set.of("target/*-runner"));
        List<Instruction> all = instructions(dockerfile);
        List<String> copy = of(all, "COPY").get(0).words();
        String destination = copy.get(copy.size() - 1);
        String workdir = of(all, "WORKDIR").get(of(all, "WORKDIR").size() - 1).arguments();
        String executable = of(all, "ENTRYPOINT").get(0).words().get(0);
        assertThat(Path.of(workdir).resolve(executable).normalize()).as("ENTRYPOINT runs the copied runner")
                .isEqualTo(Path.of(destination));
        assertThat(String.join(" ", copy)).as("the runner is executable").contains("--chmod=0755");
    }

    @Test
    void dockerignoreMatchingFollowsDocker() {
        assertThat(sentToTheBuild("target/quarkus-app/lib/main/x.jar")).isTrue();
        assertThat(sentToTheBuild("target/event-search-1.0.0-SNAPSHOT-runner")).isTrue();
        assertThat(sentToTheBuild("target/classes/application.properties")).isFalse();
        assertThat(sentToTheBuild("pom.xml")).isFalse();
    }
}
