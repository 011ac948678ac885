package io.epiphany.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code epiphany completion}: a bash (and zsh, through bashcompinit) completion script generated from the model. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a bash/zsh completion script for every command and option.",
            "  bash: source <(./epiphany completion)",
            "  zsh:  autoload -U +X bashcompinit && bashcompinit && source <(./epiphany completion)"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var root = spec.root().commandLine();
        root.getOut().print(AutoComplete.bash(root.getCommandName(), root));
        root.getOut().flush();
        return Failures.DONE;
    }
}
