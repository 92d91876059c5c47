<?php
// work.php - a deterministic PHP workload for `usdtrace calls/flow/stat`:
// Work::main calls Work::middle 100 times, each middle calls leaf() 35
// times (3500 leaf calls). An argument changes the 100.
function leaf($i) {
    return $i * 2;
}

class Work {
    public function middle($n) {
        $total = 0;
        for ($i = 0; $i < 35; $i++) {
            $total += leaf($i);
        }
        return $total + $n;
    }

    public function main($count) {
        $total = 0;
        for ($n = 0; $n < $count; $n++) {
            $total += $this->middle($n);
        }
        fwrite(STDERR, $total . "\n");
    }
}

(new Work())->main(isset($argv[1]) ? (int)$argv[1] : 100);
