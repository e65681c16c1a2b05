# Shared by the whole-process benchmark scripts (sourced, not run): the timing tools, the
# median wall time of a command and its peak memory. The caller sets `runs` and `dir`.

# Installs hyperfine and GNU time with apt-get when they are missing and we run as root.
install_timing_tools() {
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        missing=()
        command -v hyperfine >/dev/null || missing+=(hyperfine)
        [[ -x /usr/bin/time ]] || missing+=(time)
        if [[ ${#missing[@]} -gt 0 ]]; then
            (apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
                { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; }) ||
                echo "note: could not install ${missing[*]}; falling back" >&2
        fi
    fi
}

# Median wall time in seconds of `runs` runs of a shell command (output discarded by the caller).
# Its exit code is not judged here (`check` exits 1 on a design with cycles): callers check it
# once before timing.
median_seconds() {
    local command="$1"
    if command -v hyperfine >/dev/null; then
        local json="$dir/hyperfine.json"
        hyperfine --style none --ignore-failure --warmup 1 --runs "$runs" --export-json "$json" "$command" >/dev/null 2>&1
        sed -n 's/.*"median": *\([0-9.e+-]*\).*/\1/p' "$json" | head -1
    else
        local times=() i start end
        bash -c "$command" || true # warm-up
        for ((i = 0; i < runs; i++)); do
            start=$(date +%s.%N)
            bash -c "$command" || true
            end=$(date +%s.%N)
            times+=("$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')")
        done
        printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
    fi
}

# "PEAK_MIB CPU_SECONDS" of one run: peak RSS and user+system CPU time (GNU time). CPU time
# says less about the machine's other load than wall time does.
peak_and_cpu() {
    local log="$dir/time.log"
    /usr/bin/time -v bash -c "exec $1" 2>"$log" >/dev/null || true
    awk -F': ' '/Maximum resident set size/ {m = $2 / 1024} /User time/ {c += $2}
        /System time/ {c += $2} END {printf "%.0f %.2f", m, c}' "$log"
}

