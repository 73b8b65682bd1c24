package io.eventsearch.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The README and the pages under docs/ link to each other and to the repository's files: every relative link must
 * name a file that exists and, when it has a {@code #fragment} into a Markdown page, a heading of that page (GitHub's
 * anchors: lower case, punctuation dropped, spaces as hyphens).
 */
class DocsLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("#{1,6} (.*)");

    @Test
    void everyRelativeLinkResolves() {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages()) {
            int lineNumber = 0;
            for (String line : prose(page)) {
                lineNumber++;
                if (line == null) {
                    continue;
                }
                Matcher m = LINK.matcher(line);
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("[a-z]+:.*")) {
                        continue; // https:, mailto:
                    }
                    checked++;
                    int hash = target.indexOf('#');
                    String file = hash < 0 ? target : target.substring(0, hash);
                    Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                    String where = DeployFiles.ROOT.relativize(page) + ":" + lineNumber + ": " + target;
                    if (!Files.exists(resolved)) {
                        broken.add(where + " (no such file)");
                    } else if (hash >= 0 && resolved.toString().endsWith(".md")
                            && !anchors(resolved).contains(target.substring(hash + 1))) {
                        broken.add(where + " (no such heading)");
                    }
                }
            }
        }
        assertThat(checked).as("relative links checked").isGreaterThan(20);
        assertThat(broken).as("broken links").isEmpty();
    }

    private static List<Path> pages() {
        List<Path> pages = new ArrayList<>(List.of(DeployFiles.file("README.md"), DeployFiles.file("deploy/README.md")));
        try (Stream<Path> docs = Files.list(DeployFiles.ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(pages).as("pages under docs/").hasSizeGreaterThan(2);
        return pages;
    }

    /** The page's lines, with those inside fenced code blocks as null (links and headings there do not count). */
    private static List<String> prose(Path page) {
        List<String> lines = new ArrayList<>();
        boolean fenced = false;
        for (String line : DeployFiles.read(DeployFiles.ROOT.relativize(page).toString()).split("\n", -1)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
                lines.add(null);
            } else {
                lines.add(fenced ? null : line);
            }
        }
        return lines;
    }

    private static Set<String> anchors(Path page) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(page)) {
            Matcher m = line == null ? null : HEADING.matcher(line);
            if (m != null && m.matches()) {
                String slug = m.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "")
                        .replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        }
        return anchors;
    }
}
