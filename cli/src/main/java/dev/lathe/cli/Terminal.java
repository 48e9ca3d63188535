package dev.lathe.cli;

/** Whether stderr is an interactive terminal (the launcher tells us with -Dlathe.tty=true). */
final class Terminal {
    private Terminal() {}

    static boolean showProgress(TrainOptions o) { return !o.noProgress && Boolean.getBoolean("lathe.tty"); }
}
