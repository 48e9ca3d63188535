package dev.lathe.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code lathe} command. The only place that turns errors into exit codes. */
@Command(name = "lathe", mixinStandardHelpOptions = true, version = "lathe 0.1.0",
        description = "Deep learning for engineers on the JVM: build, train, benchmark.",
        subcommands = {TrainCommand.class, DemoCommand.class, BenchCommand.class, SummaryCommand.class, LabCommand.class, PruneCommand.class, QuantizeCommand.class, ExportCommand.class, RunCommand.class, DataCommand.class, OnnxCommand.class, GenerateCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true);
        useHostBlocking(args, err);
        System.exit(run(args, new PrintWriter(System.out, true), err));
    }

    /** Commands whose time is mostly GEMM: they use the blocking measured for this host, measured on their first run (a few seconds, cached). */
    private static final java.util.Set<String> GEMM_HEAVY = java.util.Set.of("train", "bench", "demo", "prune", "lab");

    /**
     * For a GEMM-heavy command, the GEMM blocking cached for this host in force (see {@link dev.lathe.io.HostTuning}),
     * measured first when none is cached unless LATHE_TUNE=0. Other commands (run, export, summary, --version, ...)
     * skip it: looking the host up costs ~30 ms of start-up, and their time is not in the GEMM. In the process
     * entry only, so the tests that call {@link #run} stay as fast as before.
     */
    static void useHostBlocking(String[] args, PrintWriter err) {
        boolean retune = java.util.Arrays.asList(args).contains("--retune");  // bench gemm --retune measures it itself
        if (args.length == 0 || !GEMM_HEAVY.contains(args[0]) || retune) return;
        try {
            dev.lathe.io.HostTuning.apply(!"0".equals(System.getenv("LATHE_TUNE")), false, line -> {
                if (line.startsWith("measuring")) err.println("lathe: " + line + "; LATHE_TUNE=0 skips");
                else if (!line.startsWith("tune ")) err.println("lathe: " + line);
            });
        } catch (RuntimeException e) {
            // best effort: the blocking changes speed only, never results, so a command never fails for it
            err.println("lathe: warning: GEMM blocking for this host not applied (" + describe(e) + "); using " + dev.lathe.kernels.Gemm.blocking().describe());
        }
    }

    /** Runs the CLI and returns its exit code (0 ok, 1 failure, 2 bad usage); tests call this. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("lathe: " + ex.getMessage());
            err.println("       (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            err.println("lathe: error: " + describe(ex));
            if (debug) ex.printStackTrace(err);
            return 1;
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** One line: the message, with the cause's message when it adds something. */
    static String describe(Throwable ex) {
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException && ex.getMessage() != null && ((java.nio.file.NoSuchFileException) ex).getReason() == null) {
            msg = "file not found: " + msg;
        }
        if (ex instanceof OutOfMemoryError) msg = "out of memory (" + msg + "); try a smaller --batch or raise -Xmx via JAVA_OPTS";
        return msg;
    }
}
