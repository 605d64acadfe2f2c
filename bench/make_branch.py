"""A branch of N commits over 200 files (bench/proxy.js), made in one Breezy process: far
faster than N `brz commit` runs. Usage: python3 make_branch.py PATH COMMITS"""
import os, sys, breezy
with breezy.initialize():
    import breezy.bzr  # registers the bzr formats
    from breezy import controldir
    path, commits = sys.argv[1], int(sys.argv[2])
    fmt = controldir.format_registry.make_controldir('2a')
    wt = controldir.ControlDir.create_standalone_workingtree(path, format=fmt)
    names = ['f%d.txt' % i for i in range(200)]
    for i, n in enumerate(names):
        with open(os.path.join(path, n), 'w') as f: f.write(('file %d\n' % i) * 40)
    wt.add(names)
    wt.commit('import', committer='Bench <bench@example.invalid>')
    for c in range(1, commits):
        for i in range(c % 7, 200, 29):
            with open(os.path.join(path, names[i]), 'w') as f: f.write(('file %d change %d\n' % (i, c)) * 40)
        wt.commit('change %d' % c, committer='Bench <bench@example.invalid>')
