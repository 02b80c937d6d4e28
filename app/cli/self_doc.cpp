#include "cli/self_doc.h"

#include "cli/commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace ipcscope::cli {

namespace {

// A value hint is a validator whose name carries the values; its empty description keeps it
// out of --help.
constexpr std::string_view kHintPrefix = "ipcscope-values:";

struct OptionDoc {
    std::vector<std::string> names;  ///< "-f", "--filter"; a positional has its one name
    bool positional = false;
    bool takesValue = false;
    bool required = false;
    bool many = false;       ///< takes several values (positionals: "NAME...")
    bool checkedSet = false; ///< the values come from an IsMember check (help does not list them)
    std::string valueName;   ///< "TEXT", "INT", ...
    std::vector<std::string> values;
    std::string description;
};

struct CommandDoc {
    std::string path;  ///< "" for the program, "list netbios" for a nested command
    std::string description;
    bool needsSubcommand = false;
    std::vector<OptionDoc> options;
    std::vector<OptionDoc> positionals;
    std::vector<CommandDoc> subcommands;
};

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const auto end = std::min(s.find(sep, start), s.size());
        if (end > start) out.emplace_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string join(const std::vector<std::string>& words, std::string_view sep) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : std::string(sep)) + w;
    return out;
}

void describeValues(CLI::Option& opt, OptionDoc& doc) {
    for (int i = 0;; ++i) {
        CLI::Validator* v = nullptr;
        try {
            v = opt.get_validator(i);
        } catch (const CLI::OptionNotFound&) {
            break;
        }
        if (v->get_name().starts_with(kHintPrefix)) {
            doc.values = split(std::string_view(v->get_name()).substr(kHintPrefix.size()), ',');
            return;
        }
    }
    // An IsMember check shows its set in the type name: "TEXT:{kind,name,pid,size}".
    const std::string type = opt.get_type_name();
    const auto open = type.find('{');
    const auto close = type.find('}', open);
    if (open != std::string::npos && close != std::string::npos) {
        doc.values = split(std::string_view(type).substr(open + 1, close - open - 1), ',');
        doc.checkedSet = true;
    }
}

OptionDoc describeOption(CLI::Option& opt) {
    OptionDoc d;
    d.positional = !opt.nonpositional();
    if (d.positional) {
        d.names.push_back(opt.get_name());
    } else {
        for (const auto& s : opt.get_snames()) d.names.push_back("-" + s);
        for (const auto& l : opt.get_lnames()) d.names.push_back("--" + l);
    }
    d.takesValue = opt.get_items_expected_max() != 0;
    d.required = opt.get_required();
    d.many = opt.get_items_expected_max() > 1;
    d.description = opt.get_description();
    if (d.takesValue) {
        const std::string type = opt.get_type_name();
        d.valueName = type.substr(0, type.find_first_of(": "));
        describeValues(opt, d);
    }
    return d;
}

CommandDoc describe(CLI::App& app, const std::string& path) {
    CommandDoc c;
    c.path = path;
    c.description = app.get_description();
    c.needsSubcommand = app.get_require_subcommand_min() > 0;
    for (CLI::Option* opt : app.get_options()) {
        if (opt->get_group().empty()) continue;  // hidden
        OptionDoc d = describeOption(*opt);
        (d.positional ? c.positionals : c.options).push_back(std::move(d));
    }
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        if (sub->get_group().empty()) continue;
        c.subcommands.push_back(describe(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name()));
    }
    return c;
}

/// Every command of the tree, depth first, the program first.
void flatten(const CommandDoc& c, std::vector<const CommandDoc*>& out) {
    out.push_back(&c);
    for (const auto& s : c.subcommands) flatten(s, out);
}

std::string lastWord(const std::string& path) { return path.substr(path.rfind(' ') + 1); }

// --- roff ----------------------------------------------------------------------------------

/// Escapes text for roff: backslashes, a leading '.' or '\'', and '-' where it is a minus
/// (option dashes) rather than a hyphen inside a word.
std::string roff(std::string_view text) {
    std::string out;
    bool lineStart = true;
    char prev = ' ';
    for (char ch : text) {
        if (lineStart && (ch == '.' || ch == '\'')) out += "\\&";
        if (ch == '\\') {
            out += "\\e";
        } else if (ch == '-' && (prev == ' ' || prev == '-' || prev == '(' || prev == '\'' || prev == '\n' || prev == '[')) {
            out += "\\-";
        } else if (ch == '\n') {
            out += "\n.br\n";
        } else {
            out += ch;
        }
        lineStart = ch == '\n';
        prev = ch;
    }
    return out;
}

std::string synopsis(const CommandDoc& c) {
    std::string s = "\\fBipcscope" + (c.path.empty() ? "" : " " + c.path) + "\\fR";
    if (!c.options.empty()) s += " [\\fIOPTIONS\\fR]";
    for (const auto& p : c.positionals) {
        std::string name = "\\fI" + roff(p.names.front()) + "\\fR" + (p.many ? "..." : "");
        s += p.required ? " " + name : " [" + name + "]";
    }
    if (!c.subcommands.empty()) s += c.needsSubcommand ? " \\fICOMMAND\\fR" : " [\\fICOMMAND\\fR]";
    return s;
}

void manOptions(std::string& out, const std::vector<OptionDoc>& options) {
    for (const auto& o : options) {
        std::vector<std::string> names;
        for (const auto& n : o.names) names.push_back("\\fB" + roff(n) + "\\fR");
        out += ".TP\n" + join(names, ", ");
        if (o.takesValue && !o.positional) out += " \\fI" + roff(o.valueName) + "\\fR";
        out += "\n" + roff(o.description);
        if (o.checkedSet) out += "\n.br\nOne of: " + roff(join(o.values, ", ")) + ".";
        out += "\n";
    }
}

void manCommand(std::string& out, const CommandDoc& c) {
    out += ".SS \"ipcscope " + roff(c.path) + "\"\n";
    out += synopsis(c) + "\n.PP\n" + roff(c.description) + "\n";
    std::vector<OptionDoc> all = c.positionals;
    // --help is everywhere: the OPTIONS section says it once.
    std::copy_if(c.options.begin(), c.options.end(), std::back_inserter(all),
                 [](const OptionDoc& o) { return std::find(o.names.begin(), o.names.end(), "--help") == o.names.end(); });
    manOptions(out, all);
    if (!c.subcommands.empty()) {
        std::vector<std::string> names;
        for (const auto& s : c.subcommands) names.push_back("\\fB" + roff(lastWord(s.path)) + "\\fR");
        out += ".TP\nCommands\n" + join(names, ", ") + " (below)\n";
    }
    for (const auto& s : c.subcommands) manCommand(out, s);
}

// --- shells --------------------------------------------------------------------------------

/// Single-quoted for bash, zsh and fish alike (no quote occurs in names or values).
std::string quoted(const std::string& s) { return "'" + s + "'"; }

struct ShellSpec {
    std::string subs, opts, valueOpts, positionalValues;
};

ShellSpec shellSpec(const CommandDoc& c) {
    ShellSpec s;
    std::vector<std::string> subs, opts, valueOpts, values;
    for (const auto& sub : c.subcommands) subs.push_back(lastWord(sub.path));
    for (const auto& o : c.options) {
        opts.insert(opts.end(), o.names.begin(), o.names.end());
        if (o.takesValue) valueOpts.insert(valueOpts.end(), o.names.begin(), o.names.end());
    }
    for (const auto& p : c.positionals) values.insert(values.end(), p.values.begin(), p.values.end());
    return {join(subs, " "), join(opts, " "), join(valueOpts, " "), join(values, " ")};
}

/// The two shell functions bash and zsh share: the words each command path accepts, and the
/// values of each option that has a known set.
std::string posixShellTables(const std::vector<const CommandDoc*>& commands) {
    std::string out = "__ipcscope_spec() {\n"
                      "    # For the command path $1: subcommands, options, options taking a value, positional values.\n"
                      "    subs='' opts='' valopts='' posvals=''\n"
                      "    case \"$1\" in\n";
    for (const auto* c : commands) {
        const ShellSpec s = shellSpec(*c);
        out += fmt::format("        {})\n            subs={}\n            opts={}\n            valopts={}\n            posvals={}\n            ;;\n",
                           quoted(c->path), quoted(s.subs), quoted(s.opts), quoted(s.valueOpts), quoted(s.positionalValues));
    }
    out += "    esac\n}\n\n__ipcscope_values() {\n    # The values option $2 of the command path $1 takes, when they are a known set.\n"
           "    case \"$1:$2\" in\n";
    for (const auto* c : commands)
        for (const auto& o : c->options) {
            if (o.values.empty()) continue;
            std::vector<std::string> keys;
            for (const auto& n : o.names) keys.push_back(quoted(c->path + ":" + n));
            out += fmt::format("        {}) echo {} ;;\n", join(keys, "|"), quoted(join(o.values, " ")));
        }
    out += "    esac\n}\n\n";
    return out;
}

// The walk over the words typed so far, shared by bash and zsh: it follows subcommands and
// steps over the value of each option that takes one. FIRST and CURRENT are the shells' indexes.
std::string walkWords(std::string_view first, std::string_view array, std::string_view current) {
    return fmt::format("    local cmdpath='' skip=0 i w subs opts valopts posvals\n"
                       "    for ((i = {0}; i < {2}; i++)); do\n"
                       "        w=${{{1}[i]}}\n"
                       "        if ((skip)); then skip=0; continue; fi\n"
                       "        __ipcscope_spec \"$cmdpath\"\n"
                       "        if [[ \" $valopts \" == *\" $w \"* ]]; then skip=1\n"
                       "        elif [[ \" $subs \" == *\" $w \"* ]]; then cmdpath=${{cmdpath:+$cmdpath }}$w\n"
                       "        fi\n"
                       "    done\n"
                       "    __ipcscope_spec \"$cmdpath\"\n",
                       first, array, current);
}

std::string bashScript(const std::vector<const CommandDoc*>& commands) {
    std::string out = "# bash completion for ipcscope, generated by 'ipcscope --completion bash' from the\n"
                      "# program's own command definition.\n\n";
    out += posixShellTables(commands);
    out += "_ipcscope() {\n    local cur=${COMP_WORDS[COMP_CWORD]}\n";
    out += walkWords("1", "COMP_WORDS", "COMP_CWORD");
    out += "    if ((skip)); then\n"
           "        local values\n"
           "        values=$(__ipcscope_values \"$cmdpath\" \"${COMP_WORDS[COMP_CWORD-1]}\")\n"
           "        if [[ -n $values ]]; then\n"
           "            mapfile -t COMPREPLY < <(compgen -W \"$values\" -- \"$cur\")\n"
           "        else\n"
           "            mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
           "        fi\n"
           "    elif [[ $cur == -* ]]; then\n"
           "        mapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")\n"
           "    else\n"
           "        mapfile -t COMPREPLY < <(compgen -W \"$subs $posvals\" -- \"$cur\")\n"
           "    fi\n"
           "    return 0\n"
           "}\n"
           "complete -F _ipcscope ipcscope\n";
    return out;
}

std::string zshScript(const std::vector<const CommandDoc*>& commands) {
    std::string out = "#compdef ipcscope\n"
                      "# zsh completion for ipcscope, generated by 'ipcscope --completion zsh' from the\n"
                      "# program's own command definition.\n\n";
    out += posixShellTables(commands);
    out += "_ipcscope() {\n";
    out += walkWords("2", "words", "CURRENT");
    out += "    if ((skip)); then\n"
           "        local values\n"
           "        values=$(__ipcscope_values \"$cmdpath\" \"${words[CURRENT-1]}\")\n"
           "        if [[ -n $values ]]; then compadd -- ${=values}; else _files; fi\n"
           "    elif [[ $PREFIX == -* ]]; then\n"
           "        compadd -- ${=opts}\n"
           "    else\n"
           "        compadd -- ${=subs} ${=posvals}\n"
           "    fi\n"
           "}\n\n"
           "_ipcscope \"$@\"\n";
    return out;
}

/// Fish single quotes: only \ and ' are special.
std::string fishQuoted(std::string_view s) {
    std::string out = "'";
    for (char ch : s) {
        if (ch == '\\' || ch == '\'') out += '\\';
        out += ch == '\n' ? ' ' : ch;
    }
    return out + "'";
}

std::string fishScript(const std::vector<const CommandDoc*>& commands) {
    std::string out = "# fish completion for ipcscope, generated by 'ipcscope --completion fish' from the\n"
                      "# program's own command definition.\n\n"
                      "# The subcommand path typed so far (\"\", \"list\", \"probe run\"), stepping over option values.\n"
                      "function __ipcscope_path\n"
                      "    set -l words (commandline -opc)\n"
                      "    set -e words[1]\n"
                      "    set -l cmdpath ''\n"
                      "    set -l skip 0\n"
                      "    for w in $words\n"
                      "        if test $skip = 1\n"
                      "            set skip 0\n"
                      "            continue\n"
                      "        end\n"
                      "        switch \"$cmdpath:$w\"\n";
    std::vector<std::string> subKeys, valueKeys;
    for (const auto* c : commands) {
        for (const auto& s : c->subcommands) subKeys.push_back(fishQuoted(c->path + ":" + lastWord(s.path)));
        for (const auto& o : c->options)
            if (o.takesValue)
                for (const auto& n : o.names) valueKeys.push_back(fishQuoted(c->path + ":" + n));
    }
    if (!subKeys.empty())
        out += "            case " + join(subKeys, " ") + "\n                set cmdpath (string trim -- \"$cmdpath $w\")\n";
    if (!valueKeys.empty()) out += "            case " + join(valueKeys, " ") + "\n                set skip 1\n";
    out += "        end\n"
           "    end\n"
           "    echo $cmdpath\n"
           "end\n\n"
           "function __ipcscope_at\n"
           "    test \"$(__ipcscope_path)\" = \"$argv[1]\"\n"
           "end\n\n"
           "complete -c ipcscope -f\n";
    for (const auto* c : commands) {
        const std::string at = " -n " + fishQuoted("__ipcscope_at " + fishQuoted(c->path));
        for (const auto& s : c->subcommands)
            out += "complete -c ipcscope" + at + " -a " + fishQuoted(lastWord(s.path)) + " -d " + fishQuoted(s.description) + "\n";
        for (const auto& p : c->positionals)
            if (!p.values.empty()) out += "complete -c ipcscope" + at + " -a " + fishQuoted(join(p.values, " ")) + "\n";
        for (const auto& o : c->options) {
            std::string line = "complete -c ipcscope" + at;
            for (const auto& n : o.names) line += (n.starts_with("--") ? " -l " + n.substr(2) : " -s " + n.substr(1));
            if (o.takesValue) line += o.values.empty() ? " -r -F" : " -x -a " + fishQuoted(join(o.values, " "));
            out += line + " -d " + fishQuoted(o.description) + "\n";
        }
    }
    return out;
}

}  // namespace

CLI::Validator valueHint(const std::vector<std::string>& values) {
    CLI::Validator v{[](std::string&) { return std::string(); }, std::string()};
    v.name(std::string(kHintPrefix) + join(values, ","));
    return v;
}

std::string manPage(CLI::App& app, std::string_view version) {
    const CommandDoc top = describe(app, "");
    // The first line of the description, without the leading "ipcscope: ", is the NAME line.
    std::string summary = top.description.substr(0, top.description.find('\n'));
    if (summary.starts_with("ipcscope: ")) summary.erase(0, 10);
    if (summary.ends_with(".")) summary.pop_back();

    std::string out = fmt::format(".TH IPCSCOPE 1 \"\" \"ipcscope {}\" \"User Commands\"\n", roff(version));
    out += ".SH NAME\nipcscope \\- " + roff(summary) + "\n";
    out += ".SH SYNOPSIS\n" + synopsis(top) + "\n";
    out += ".SH DESCRIPTION\n" + roff(top.description) + "\n.PP\nEvery command prints its own help with \\fB\\-\\-help\\fR.\n";
    out += ".SH OPTIONS\n";
    manOptions(out, top.options);
    out += ".SH COMMANDS\n";
    for (const auto& c : top.subcommands) manCommand(out, c);
    out += fmt::format(".SH \"EXIT STATUS\"\n{} on success, {} on a runtime failure, {} on bad usage. Errors are one sentence on "
                       "standard error.\n",
                       kExitOk, kExitFailure, kExitUsage);
    out += ".SH ENVIRONMENT\n.TP\n\\fBIPCSCOPE_PROC_ROOT\\fR\nRead the proc tree from this folder instead of \\fI/proc\\fR.\n"
           ".TP\n\\fBDISPLAY\\fR\nThe X display whose clipboard owners and targets are listed.\n";
    out += ".SH FILES\n.TP\n\\fIipcscope\\-probe\\-*\\fR\nThe probe executables of \\fBprobe run\\fR: next to \\fBipcscope\\fR, "
           "else in the \\fIlibexec/ipcscope\\fR folder of its installation (\\fI/usr/libexec/ipcscope\\fR), unless "
           "\\fB\\-\\-probe\\-dir\\fR names another. \\fBipcscope probe list\\fR shows which are found.\n";
    out += ".SH \"SEE ALSO\"\n\\fBss\\fR(8), \\fBlsof\\fR(8), \\fBipcs\\fR(1)\n";
    return out;
}

std::string completionScript(CLI::App& app, std::string_view shell) {
    const CommandDoc top = describe(app, "");
    std::vector<const CommandDoc*> commands;
    flatten(top, commands);
    if (shell == "bash") return bashScript(commands);
    if (shell == "zsh") return zshScript(commands);
    if (shell == "fish") return fishScript(commands);
    return {};
}

}  // namespace ipcscope::cli
