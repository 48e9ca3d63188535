package dev.lathe.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, files from other writers (hand-built bytes), and every way a header can lie. */
class SafetensorsTest {
    @TempDir Path dir;

    @Test void roundTripKeepsNamesOrderShapesValuesAndMetadata() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("b.weight", Tensor.of(new float[] {1, -2, 3.5f, Float.MIN_VALUE, 5, 6}, 2, 3));
        t.put("a.scalar", Tensor.of(new double[] {Math.PI}));
        t.put("empty", Tensor.zeros(0, 4));
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, t, Map.of("epoch", "3", "note", "quote \" and \\ ok"));
        Safetensors.Contents c = Safetensors.read(f);
        assertThat(c.tensors().keySet()).containsExactly("b.weight", "a.scalar", "empty");
        assertThat(c.tensors().get("b.weight").shape()).containsExactly(2, 3);
        assertThat(c.tensors().get("b.weight").toFloatArray()).containsExactly(1, -2, 3.5f, Float.MIN_VALUE, 5, 6);
        assertThat(c.tensors().get("a.scalar").dtype()).isEqualTo(DType.FLOAT64);
        assertThat(c.tensors().get("a.scalar").item()).isEqualTo(Math.PI);
        assertThat(c.tensors().get("empty").shape()).containsExactly(0, 4);
        assertThat(c.metadata()).containsEntry("epoch", "3").containsEntry("note", "quote \" and \\ ok");
    }

    /** A file as another writer lays it out: unpadded header, keys not in data order, spaces in the JSON. */
    @Test void readsAFileBuiltByHand() throws IOException {
        String header = "{ \"y\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]},"
                + " \"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]} }";
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(7f);
        Path f = file(header, data.array());
        Safetensors.Contents c = Safetensors.read(f);
        assertThat(c.tensors().get("x").toFloatArray()).containsExactly(1.5f, -2f);
        assertThat(c.tensors().get("y").toFloatArray()).containsExactly(7f);
        assertThat(c.metadata()).isEmpty();
    }

    @Test void hostileAndTruncatedFilesAreRejectedWithTheReason() throws IOException {
        byte[] twelve = new byte[12];
        String ok = "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}";
        assertThatThrownBy(() -> Safetensors.read(Files.write(dir.resolve("short"), new byte[5]))).hasMessageContaining("too short");
        assertThatThrownBy(() -> Safetensors.read(file(ok, new byte[8]))).hasMessageContaining("outside the 8-byte data section");
        Path huge = dir.resolve("huge");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertThatThrownBy(() -> Safetensors.read(huge)).hasMessageContaining("header length 1099511627776 does not fit");
        assertThatThrownBy(() -> Safetensors.read(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,12]}}", twelve)))
                .hasMessageContaining("12 bytes for shape [4]");
        assertThatThrownBy(() -> Safetensors.read(file("{\"x\":{\"dtype\":\"BF16\",\"shape\":[6],\"data_offsets\":[0,12]}}", twelve)))
                .hasMessageContaining("dtype BF16");
        assertThatThrownBy(() -> Safetensors.read(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[-3],\"data_offsets\":[0,12]}}", twelve)))
                .hasMessageContaining("bad dimension -3");
        assertThatThrownBy(() -> Safetensors.read(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", twelve))).hasMessageContaining("gap or overlap");
        assertThatThrownBy(() -> Safetensors.read(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", twelve)))
                .hasMessageContaining("data section is 12 bytes but the tensors cover 8");
        assertThatThrownBy(() -> Safetensors.read(file("{\"x\":1, \"x\":2}", twelve))).hasMessageContaining("duplicate key");
        assertThatThrownBy(() -> Safetensors.read(file("{\"x\":{\"dtype\":\"F32\"", twelve))).hasMessageContaining("unexpected end");
        assertThatThrownBy(() -> Safetensors.read(file("[1,2]", twelve))).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> Safetensors.read(file("{\"__metadata__\":{\"a\":1}}", new byte[0]))).hasMessageContaining("metadata 'a' is not a string");
        assertThat(Safetensors.read(file(ok, twelve)).tensors()).containsKey("x");
    }

    private Path file(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return Files.write(Files.createTempFile(dir, "t", ".safetensors"), b.array());
    }
}
