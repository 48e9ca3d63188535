package dev.lathe.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.data.Preprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading tables: types, task and split inferred and said; bad input named by file, line and column. */
class TablesTest {
    @TempDir Path dir;

    static final Tables.Options DEFAULTS = new Tables.Options(null, "auto", null, null, "error");

    Path csv(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    Sources.Loaded fit(Path train, Path test, Tables.Options o) throws IOException {
        return Tables.fit(CsvTable.read(train), test == null ? null : CsvTable.read(test), 0.25, 0, o);
    }

    @Test
    void quotedFieldsTabsSemicolonsAndAByteOrderMarkParse() throws IOException {
        CsvTable t = CsvTable.read(csv("q.csv", "\uFEFFname,note,y\n\"Smith, J\",\"said \"\"hi\"\"\",1\n"));
        assertThat(t.header()).containsExactly("name", "note", "y");
        assertThat(t.rows().getFirst().cells()).containsExactly("Smith, J", "said \"hi\"", "1");
        assertThat(CsvTable.read(csv("t.tsv", "a\tb\n1\t2\n")).header()).containsExactly("a", "b");
        assertThat(CsvTable.read(csv("s.csv", "a;b;c\n1;2;3\n")).header()).containsExactly("a", "b", "c");
    }

    @Test
    void raggedRowIsNamedByFileAndLine() throws IOException {
        Path p = csv("r.csv", "a,b,y\n1,2,x\n\n3,4\n");
        assertThatThrownBy(() -> CsvTable.read(p)).hasMessageContaining("r.csv line 4").hasMessageContaining("2 fields, the header has 3");
    }

    @Test
    void emptyFileDuplicateAndBlankHeadersAreErrors() throws IOException {
        Path empty = csv("e.csv", ""), dup = csv("d.csv", "a,a\n1,2\n"), blank = csv("b.csv", "a,,c\n1,2,3\n"), noRows = csv("n.csv", "a,b\n");
        assertThatThrownBy(() -> CsvTable.read(empty)).hasMessageContaining("e.csv: empty file");
        assertThatThrownBy(() -> CsvTable.read(dup)).hasMessageContaining("column name 'a' appears twice");
        assertThatThrownBy(() -> CsvTable.read(blank)).hasMessageContaining("column 2 has no name");
        assertThatThrownBy(() -> CsvTable.read(noRows)).hasMessageContaining("no data rows");
    }

    @Test
    void textTargetIsClassifiedFloatTargetRegressedAndSaidSo() throws IOException {
        Sources.Loaded c = fit(csv("c.csv", "x,kind\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n7,a\n8,b\n"), null, DEFAULTS);
        assertThat(c.preprocessing().target()).isEqualTo(new Preprocessing.Classes("kind", List.of("a", "b")));
        assertThat(c.notes()).anyMatch(n -> n.startsWith("task: classify (target 'kind' holds text"));
        Sources.Loaded r = fit(csv("r.csv", "x,y\n1,1.5\n2,2.5\n3,3.5\n4,4.25\n5,5.5\n6,6.5\n7,7.5\n8,8.5\n"), null, DEFAULTS);
        assertThat(r.preprocessing().task()).isEqualTo("regress");
        assertThat(r.notes()).anyMatch(n -> n.startsWith("task: regress"));
        // few distinct integers are classes, sorted as numbers
        Sources.Loaded i = fit(csv("i.csv", "x,y\n1,10\n2,9\n3,10\n4,9\n5,10\n6,9\n7,10\n8,9\n"), null, DEFAULTS);
        assertThat(((Preprocessing.Classes) i.preprocessing().target()).names()).containsExactly("9", "10");
    }

    @Test
    void statisticsComeFromTheTrainingRowsOnly() throws IOException {
        Path train = csv("tr.csv", "v,color,y\n1,red,a\n3,blue,b\n1,red,a\n3,blue,b\n");
        Path test = csv("te.csv", "v,color,y\n100,green,a\n");
        Sources.Loaded l = fit(train, test, DEFAULTS);
        Preprocessing.Table t = (Preprocessing.Table) l.preprocessing();
        assertThat(t.columns()).containsExactly(new Preprocessing.Numeric("v", 2, 1, Double.NaN), new Preprocessing.Categorical("color", List.of("blue", "red"), null));
        float[] x = new float[3];
        l.test().copySample(0, x, 0);
        // (100 - 2) / 1, and 'green' (not in training) as all zeros, said in the notes
        assertThat(x).containsExactly(98f, 0f, 0f);
        assertThat(l.notes()).anyMatch(n -> n.contains("1 categorical value(s) not seen in training"));
    }

    @Test
    void regressionTargetIsStandardizedAndKeptInTheRecord() throws IOException {
        Sources.Loaded l = fit(csv("r.csv", "x,y\n1,10\n2,20\n3,30\n4,40\n"), csv("t.csv", "x,y\n5,50\n"), new Tables.Options(null, "regress", null, null, "error"));
        Preprocessing.Regression r = (Preprocessing.Regression) l.preprocessing().target();
        assertThat(r.mean()).isEqualTo(25.0);
        assertThat(r.std()).isCloseTo(Math.sqrt(125), Offset.offset(1e-9));
        float[] t = new float[1];
        l.test().copyTarget(0, t, 0);
        assertThat(r.unscale(t[0])).isCloseTo(50, Offset.offset(1e-4));
    }

    @Test
    void badTablesGetOneLineErrorsNamingFileLineAndColumn() throws IOException {
        Path ok = csv("ok.csv", "a,b,y\n1,2,p\n3,4,q\n5,6,p\n7,8,q\n");
        assertThatThrownBy(() -> fit(ok, null, new Tables.Options("label", "auto", null, null, "error")))
                .hasMessageContaining("ok.csv: no target column 'label' (columns: [a, b, y])");
        assertThatThrownBy(() -> fit(csv("one.csv", "a,y\n1,p\n2,p\n3,p\n4,p\n"), null, DEFAULTS)).hasMessageContaining("single class 'p'");
        StringBuilder typo = new StringBuilder("a,y\n");
        for (int i = 0; i < 20; i++) typo.append(i == 13 ? "1O" : Integer.toString(i)).append(',').append(i % 2 == 0 ? "p" : "q").append('\n');
        assertThatThrownBy(() -> fit(csv("typo.csv", typo.toString()), null, DEFAULTS))
                .hasMessageContaining("typo.csv line 15 column 'a': '1O' is not a number, but 19 of the column's 20 values are");
        assertThatThrownBy(() -> fit(csv("reg.csv", "a,y\n1,2.5\n2,x\n3,3.5\n4,4.5\n"), null, new Tables.Options(null, "regress", null, null, "error")))
                .hasMessageContaining("reg.csv line 3 column 'y': 'x' is not a number (regression target)");
        assertThatThrownBy(() -> fit(ok, null, new Tables.Options(null, "auto", null, List.of("c"), "error"))).hasMessageContaining("--drop names no column 'c'");
    }

    @Test
    void missingValuesAreCountedThenDroppedOrImputedOnlyWhenAsked() throws IOException {
        Path p = csv("m.csv", "a,c,y\n1,x,p\n,x,q\n3,NA,p\n5,z,q\n7,x,p\n9,x,q\n2,x,p\n4,z,q\n");
        assertThatThrownBy(() -> fit(p, null, DEFAULTS)).hasMessageContaining("missing values (empty, NA, NaN, ?) per column {a=1, c=1}")
                .hasMessageContaining("--missing drop").hasMessageContaining("--missing impute");
        Sources.Loaded dropped = fit(p, null, new Tables.Options(null, "auto", null, null, "drop"));
        assertThat(dropped.train().size() + dropped.test().size()).isEqualTo(6);
        Sources.Loaded imputed = fit(p, null, new Tables.Options(null, "auto", null, null, "impute"));
        assertThat(imputed.train().size() + imputed.test().size()).isEqualTo(8);
        Preprocessing.Table t = (Preprocessing.Table) imputed.preprocessing();
        Preprocessing.Numeric a = (Preprocessing.Numeric) t.columns().get(0);
        assertThat(a.fill()).isEqualTo(a.mean());
        assertThat(((Preprocessing.Categorical) t.columns().get(1)).fill()).isEqualTo("x");
    }

    @Test
    void preprocessingRecordRoundTripsThroughItsJson() throws IOException {
        Sources.Loaded l = fit(csv("rt.csv", "a,c,y\n1,\"u \"\"v\"\"\",p\n2,w,q\n3,w,p\n4,w,q\n"), null, new Tables.Options(null, "auto", null, null, "impute"));
        String json = Preprocessing.write(l.preprocessing());
        assertThat(Preprocessing.read(json, "test")).isEqualTo(l.preprocessing());
        assertThatThrownBy(() -> Preprocessing.read("{\"kind\":\"table\"}", "ckpt.safetensors")).hasMessageStartingWith("ckpt.safetensors: bad preprocessing record");
    }
}
