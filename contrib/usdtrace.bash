# usdtrace(1) bash completion: commands, each command's options (read from
# its own --help, so they are the ones it takes), -l values, and probe names
# from `usdtrace list` of the FILE or -p PID already on the line.
# Installed as /usr/share/bash-completion/completions/usdtrace.

_usdtrace_commands="list trace count latency hist calls flow stat profile dump help"

# The options `usdtrace CMD --help` names, long and short.
_usdtrace_options()
{
	usdtrace "$1" --help 2>/dev/null |
		grep -oE '(^|[][ ,(/])--?[A-Za-z][A-Za-z-]*' |
		sed -E 's/^[][ ,(/]//' | sort -u
}

# Probe names ("provider:name") of FILE or of PID, for the word being completed.
_usdtrace_probes()
{
	local src=$1
	usdtrace list --json $src 2>/dev/null |
		sed -nE 's/.*"provider":"([^"]*)","name":"([^"]*)".*/\1:\2/p' | sort -u
}

_usdtrace()
{
	local cur prev cmd i file="" pid=""
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "$_usdtrace_commands --help --version" -- "$cur")
		return
	fi
	cmd=${COMP_WORDS[1]}
	if [[ $cmd == help ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_usdtrace_commands" -- "$cur")
		return
	fi
	case $prev in
	-l | --lang)
		mapfile -t COMPREPLY < <(compgen -W "python java ruby php postgresql libvirt" -- "$cur")
		return ;;
	-p | --pid)
		mapfile -t COMPREPLY < <(compgen -W "$(ps -eo pid= 2>/dev/null)" -- "$cur")
		return ;;
	-o | --output | --timeline | --folded | --flamegraph | --pprof | --speedscope)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--stack-mode)
		mapfile -t COMPREPLY < <(compgen -W "fp dwarf" -- "$cur")
		return ;;
	--weight)
		mapfile -t COMPREPLY < <(compgen -W "count time" -- "$cur")
		return ;;
	-c | --command | -d | --duration | -i | --interval | --by | --key | --min | -n | \
	--top | -m | --method | --comm | --strlen | --ring-size | --stack-size | --linear | \
	--serve | --max-keys | --max-series | -F | --frequency)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_usdtrace_options "$cmd")" -- "$cur")
		return
	fi
	# a FILE or -p PID before this word: its probes; else files
	for ((i = 2; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-p | --pid) pid=${COMP_WORDS[i + 1]} ;;
		-*) ;;
		*) [[ -f ${COMP_WORDS[i]} ]] && file=${COMP_WORDS[i]} ;;
		esac
	done
	if [[ -n $pid ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_usdtrace_probes "-p $pid")" -- "$cur")
	elif [[ -n $file ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_usdtrace_probes "$file")" -- "$cur")
	fi
	if ((${#COMPREPLY[@]} == 0)); then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}

complete -F _usdtrace usdtrace
