<?php
// fib.php - a recursive function under run_fibs: its inclusive time must count
// each outermost call once, never more than its caller's.
function fib($n)
{
    return $n < 2 ? $n : fib($n - 1) + fib($n - 2);
}

function run_fibs()
{
    $s = 0;
    for ($i = 0; $i < 5; $i++)
        $s += fib(15);
    return $s;
}

echo run_fibs(), "\n";
