package dev.lathe.sources;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A delimited text table with a header row, read whole with Apache Commons CSV (quoting, embedded
 * delimiters and newlines as RFC 4180): every cell a trimmed string, every row as long as the header.
 * The delimiter is a tab for .tsv files, else the one of comma, semicolon and tab that splits the
 * header into the most columns. Errors name the file and the line.
 */
public record CsvTable(Path file, List<String> header, List<Row> rows) {
    /** One data row: its cells and the line of the file it starts on (the header is line 1). */
    public record Row(List<String> cells, long line) {}

    public CsvTable {
        header = List.copyOf(header);
        rows = List.copyOf(rows);
    }

    /** "file line N", how errors name a row. */
    public String where(Row r) { return file + " line " + r.line(); }

    public int column(String name) { return header.indexOf(name); }

    public static CsvTable read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such data file");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text (is it a binary file?)", e);
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);  // a byte-order mark some spreadsheet programs write
        char delimiter = delimiter(file, text);
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setTrim(true).setIgnoreEmptyLines(true).get();
        List<String> header = null;
        List<Row> rows = new ArrayList<>();
        // where each line starts, so a record's character position gives its line (blank lines are skipped by the parser)
        List<Integer> lineStarts = new ArrayList<>(List.of(0));
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '\n') lineStarts.add(i + 1);
        try (Reader in = new java.io.StringReader(text); CSVParser parser = CSVParser.parse(in, format)) {
            for (CSVRecord rec : parser) {
                int pos = (int) rec.getCharacterPosition();
                while (pos < text.length() && (text.charAt(pos) == '\n' || text.charAt(pos) == '\r')) pos++;  // the blank lines before it
                int found = java.util.Collections.binarySearch(lineStarts, pos);
                long line = (found >= 0 ? found : -found - 2) + 1;
                List<String> cells = rec.toList();
                if (header == null) {
                    header = header(file, cells);
                } else {
                    if (cells.size() != header.size()) {
                        throw new IllegalArgumentException(file + " line " + line + ": " + cells.size() + " fields, the header has " + header.size()
                                + " (" + String.join(String.valueOf(delimiter), header) + ")");
                    }
                    rows.add(new Row(cells, line));
                }
            }
        } catch (UncheckedIOException e) {
            // Commons CSV reports malformed quoting this way; say where
            throw new IOException(file + ": malformed CSV (" + e.getCause().getMessage() + ")", e);
        }
        if (header == null) throw new IllegalArgumentException(file + ": empty file (expected a header row, then data rows)");
        if (rows.isEmpty()) throw new IllegalArgumentException(file + ": a header but no data rows");
        return new CsvTable(file, header, rows);
    }

    private static List<String> header(Path file, List<String> cells) {
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < cells.size(); c++) {
            String name = cells.get(c);
            if (name.isEmpty()) throw new IllegalArgumentException(file + " line 1: column " + (c + 1) + " has no name (the first row must be a header)");
            if (!seen.add(name)) throw new IllegalArgumentException(file + " line 1: column name '" + name + "' appears twice");
        }
        return cells;
    }

    private static char delimiter(Path file, String text) {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tsv")) return '\t';
        int nl = text.indexOf('\n');
        String first = nl < 0 ? text : text.substring(0, nl);
        char best = ',';
        long most = 0;
        for (char d : new char[] {',', ';', '\t'}) {
            long n = first.chars().filter(ch -> ch == d).count();
            if (n > most) {
                most = n;
                best = d;
            }
        }
        return best;
    }
}
