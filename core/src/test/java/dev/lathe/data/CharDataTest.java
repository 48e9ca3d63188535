package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.models.CharModel;
import dev.lathe.nn.Recurrent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text corpus, its contiguous batches and sampling: binary files skipped, lanes continuous, bad primes named. */
class CharDataTest {
    @TempDir Path dir;

    @Test void corpusSkipsBinaryFilesAndBuildsASortedVocabulary() throws IOException {
        Files.writeString(dir.resolve("b.h"), "int b;\n");
        Files.writeString(dir.resolve("a.h"), "char a;\n");
        Files.write(dir.resolve("blob.o"), new byte[] {0x7f, 'E', 'L', 'F', 0, 1, 2});
        Files.write(dir.resolve("latin1.txt"), new byte[] {(byte) 0xE9, 'a'});
        CharCorpus c = CharCorpus.read(dir);
        assertThat(c.text()).isEqualTo("char a;\nint b;\n");
        assertThat(c.skipped()).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder("blob.o", "latin1.txt");
        assertThat(new String(c.vocabulary())).isEqualTo("\n ;abchinrt");
        assertThat(CharCorpus.encode("cab", c.vocabulary())).containsExactly(5, 3, 4);
        assertThatThrownBy(() -> CharCorpus.encode("int x", c.vocabulary())).hasMessageContaining("character 'x' at position 4 is not in the model's vocabulary of 11");
    }

    @Test void emptyOrMissingCorpusIsAnError() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.write(empty.resolve("bin"), new byte[] {0, 0});
        assertThatThrownBy(() -> CharCorpus.read(empty)).hasMessageContaining("no text to learn from (1 files, 1 skipped as binary)");
        assertThatThrownBy(() -> CharCorpus.read(dir.resolve("nope"))).hasMessageContaining("nope");
    }

    @Test void batchesContinueEachLaneAndTargetsAreTheNextToken() {
        int[] ids = new int[41];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        CharBatches b = new CharBatches(ids, 2, 5);
        assertThat(b.count()).isEqualTo(3);  // lanes of 20: (20 - 1) / 5
        assertThat(b.inputs(0)).containsExactly(0, 1, 2, 3, 4, 20, 21, 22, 23, 24);
        assertThat(b.inputs(1)).containsExactly(5, 6, 7, 8, 9, 25, 26, 27, 28, 29);
        assertThat(b.targets(1)).containsExactly(6, 7, 8, 9, 10, 26, 27, 28, 29, 30);
        assertThatThrownBy(() -> new CharBatches(new int[5], 2, 5)).hasMessageContaining("too few");
    }

    @Test void samplingIsSeededAndStaysInTheVocabulary() {
        CharModel m = new CharModel("abc ".toCharArray(), Recurrent.Kind.LSTM, 4, 8, 2, 0, 1);
        String a = m.generate("ab", 50, 0.8, 0, new Random(3)), b = m.generate("ab", 50, 0.8, 0, new Random(3));
        assertThat(a).isEqualTo(b).hasSize(52).startsWith("ab").matches("[abc ]+");
        assertThat(m.generate("a", 20, 1, 1, new Random(4))).hasSize(21);
        assertThatThrownBy(() -> m.generate("abz", 5, 1, 0, new Random(1))).hasMessageContaining("character 'z' at position 2");
        assertThatThrownBy(() -> m.generate("a", 5, 0, 0, new Random(1))).hasMessageContaining("temperature must be > 0");
    }

    @Test void aSmallLstmLearnsARepeatingText() {
        CharCorpus c = CharCorpus.of("abcabdabcabd".repeat(40));
        CharModel m = new CharModel(c.vocabulary(), Recurrent.Kind.LSTM, 8, 32, 1, 0, 2);
        CharBatches b = new CharBatches(c.encode(), 4, 12);
        var opt = new dev.lathe.optim.Adam(m.parameters(), 0.02);
        double first = 0, last = 0;
        for (int epoch = 0; epoch < 15; epoch++) {
            Recurrent.State state = null;
            for (int k = 0; k < b.count(); k++) {
                opt.zeroGrad();
                CharModel.Step st = m.run(b.inputs(k), 4, 12, state == null ? null : state.detach());
                var loss = dev.lathe.autograd.Ops.softmaxCrossEntropy(st.logits(), b.targets(k));
                loss.backward();
                opt.step();
                state = st.state();
                if (epoch == 0 && k == 0) first = loss.data().item();
                last = loss.data().item();
            }
        }
        assertThat(last).isLessThan(first / 4);
        // 'c' and 'd' alternate after "ab": the model must remember which came last time
        assertThat(m.generate("abcab", 7, 0.05, 0, new Random(5))).isEqualTo("abcabdabcabd");
    }
}
