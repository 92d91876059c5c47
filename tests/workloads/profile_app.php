<?php
// profile_app.php - a CPU-bound PHP program for `usdtrace profile` to be
// checked against: Work::hotA and Work::hotB share the thread 3:1 and
// Work::sorted spends its time in sort() (an internal function); each
// method's CPU time is measured here and written, with the process's, as
// JSON to argv[1]. Run without USE_ZEND_DTRACE: no flag in the process.

function cpu_now(): float
{
    $r = getrusage();
    return $r["ru_utime.tv_sec"] + $r["ru_utime.tv_usec"] / 1e6 +
           $r["ru_stime.tv_sec"] + $r["ru_stime.tv_usec"] / 1e6;
}

class Work
{
    public array $spent = ["hotA" => 0.0, "hotB" => 0.0, "sort" => 0.0];
    private array $data = [];

    public function __construct()
    {
        for ($i = 0; $i < 6000; $i++) {
            $this->data[] = ($i * 7919) % 20011;
        }
    }

    public function hotA(int $n): int
    {
        $s = 0;
        for ($i = 0; $i < $n; $i++) {
            $s = $s + $i * 7;
        }
        return $s;
    }

    public function hotB(int $n): int
    {
        $s = 0;
        for ($i = 0; $i < $n; $i++) {
            $s = $s + $i * 3;
        }
        return $s;
    }

    public function sorted(): array
    {
        $d = $this->data;
        sort($d);
        return $d;
    }

    public function timed(string $name, callable $fn): void
    {
        $t = cpu_now();
        $fn();
        $this->spent[$name] += cpu_now() - $t;
    }

    public function run(float $seconds): void
    {
        $end = microtime(true) + $seconds;
        while (microtime(true) < $end) {
            $this->timed("hotA", fn() => $this->hotA(300000));
            $this->timed("hotB", fn() => $this->hotB(100000));
            $this->timed("sort", fn() => $this->sorted());
        }
    }
}

$w = new Work();
$w->run((float)($argv[2] ?? 3));
$out = $w->spent;
$out["process"] = cpu_now();
file_put_contents($argv[1], json_encode($out));
