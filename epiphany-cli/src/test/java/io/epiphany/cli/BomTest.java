package io.epiphany.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * epiphany-bom has no parent (so that importing it brings no third-party versions): nothing ties it to the parent but
 * this check that it has the parent's version and manages exactly the published modules, each at that version.
 */
class BomTest {
    /** Modules of the root pom that are not published (see the release profile's comment there). */
    private static final List<String> NOT_PUBLISHED = List.of("examples", "epiphany-bom");

    @Test
    void theBomHasTheParentsVersionAndEveryPublishedModule() throws Exception {
        Element root = read(Path.of("../pom.xml"));
        Element bom = read(Path.of("../epiphany-bom/pom.xml"));
        List<String> published = new ArrayList<>(texts(child(root, "modules"), "module"));
        published.removeAll(NOT_PUBLISHED);

        assertThat(text(bom, "version")).isEqualTo(text(root, "version"));
        Element managed = child(child(bom, "dependencyManagement"), "dependencies");
        List<String> artifacts = new ArrayList<>();
        for (Element d : children(managed, "dependency")) {
            assertThat(text(d, "groupId")).isEqualTo("io.epiphany");
            assertThat(text(d, "version")).isEqualTo("${project.version}");
            artifacts.add(text(d, "artifactId"));
        }
        assertThat(artifacts).containsExactlyInAnyOrderElementsOf(published).contains("epiphany-api", "epiphany-cli");
    }

    private static Element read(Path pom) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        return doc.getDocumentElement();
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        assertThat(found).as(name + " in " + parent.getTagName()).hasSize(1);
        return found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE && nodes.item(i).getNodeName().equals(name)) {
                out.add((Element) nodes.item(i));
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        return child(parent, name).getTextContent().strip();
    }

    private static List<String> texts(Element parent, String name) {
        return children(parent, name).stream().map(e -> e.getTextContent().strip()).toList();
    }
}
