"""The benchmark scripts run end to end (tiny settings) and print their ratios: they are not timed tests, but they must not rot"""
import re, subprocess, sys
from pathlib import Path

root = Path(__file__).parent.parent

def bench(script, *args):
    r = subprocess.run([sys.executable, str(root/'bench'/script), *args], capture_output=True, text=True, timeout=600, cwd=root)
    assert r.returncode==0, r.stderr
    return r.stdout

def test_logger_overhead():
    out = bench('logger_overhead.py', '--epochs', '3')
    m = re.search(r'mlp on cpu: .* ratio ([\d.]+), median of paired ratios ([\d.]+); A/A check ([\d.]+); .* its two step events take (\d+) us, '
                  r'of which the norms and dot products (\d+) us', out)
    assert m, out
    ratio,paired,aa,own,kernel = map(float, m.groups())
    assert 0 < kernel <= own and ratio > 0 and paired > 0 and aa > 0

def test_compare_cost():
    out = bench('compare_cost.py', '--reps', '1', '--num-it', '8', '--device', 'cpu')
    ks = re.findall(r'lr_find_wd with K=(\d+): [\d.]+ s = ([\d.]+)x one lr_find', out)
    assert [k for k,_ in ks]==['1', '4', '8'] and all(float(x)>0 for _,x in ks), out

def test_batched_cost():
    out = bench('batched_cost.py', '--ks', '2', '--reps', '1', '--epochs', '1')
    for recipe in ('compare_wd', 'lr_find_wd'):
        m = re.search(recipe + r': one run of one setting ([\d.]+) s.*\n  K=2 +batched +([\d.]+) s = +([\d.]+)x one run .*\| 2 runs +([\d.]+) s = +([\d.]+)x'
                      r'.*\| median of paired ratios ([\d.]+)x \| fastest of 1: ([\d.]+)x one run', out)
        assert m and all(float(x)>0 for x in m.groups()), out
    m = re.search(r'the arithmetic alone: .*\n  K=2 ([\d.]+)x one run', out)
    assert m and float(m.group(1))>0, out
    m = re.search(r'K=2 +compare_wd pass: resident memory peak +([\d.]+) MiB, +([+-][\d.]+) MiB over the start of the pass', out)
    assert m and float(m.group(1))>0, out

def test_seeds_cost():
    out = bench('seeds_cost.py', '--reps', '1', '--seeds', '2')
    for recipe in ('compare_wd', 'lr_find_wd'):
        m = re.search(recipe + r' on cpu: one run ([\d.]+) s, 2 wds x 2 seeds in one pass ([\d.]+) s = ([\d.]+)x one run '
                      r'\(median of paired ratios ([\d.]+)x', out)
        assert m and all(float(x)>0 for x in m.groups()), out

def test_tune_cost():
    out = bench('tune_cost.py', '--reps', '1', '--trials', '4', '--k', '2', '--epochs', '1')
    m = re.search(r'tune_lr_wd on cpu: 4 trials, k=2, 1 epochs each: batched ([\d.]+) s, one by one ([\d.]+) s = ([\d.]+)x faster batched '
                  r'\(median of paired ratios ([\d.]+)x.*largest difference of a trial\'s value ([\d.e+-]+)', out)
    assert m and all(float(x)>0 for x in m.groups()[:4]), out
    assert float(m.group(5)) < 1e-2, out  # the two runs trained the same trials (up to rounding grown over a fit)
