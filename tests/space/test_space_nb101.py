"""The NAS-Bench-101 cell space: validation, pruning, graph hash, parameter count, cell sets."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from cenas.errors import ArchitectureError
from cenas.space import (
    NB101_OPS,
    NB101Cell,
    NB101CellSpace,
    SearchSpace,
    enumerate_nb101_cells,
    nb101_hash,
    nb101_param_count,
)

C3, C1, MP = NB101_OPS

# A 7-vertex cell with a skip and a fan-in of 3 at the output.
M7 = np.array(
    [
        [0, 1, 1, 0, 0, 0, 1],
        [0, 0, 0, 1, 0, 0, 0],
        [0, 0, 0, 1, 1, 0, 0],
        [0, 0, 0, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 0],
    ]
)
OPS7 = ["input", C3, C1, MP, C3, C1, "output"]


def permute(matrix: np.ndarray, ops: list[str], perm: list[int]) -> tuple[np.ndarray, list[str]]:
    """Renumber vertices: new vertex ``k`` is old vertex ``perm[k]``."""
    p = np.asarray(perm)
    return matrix[np.ix_(p, p)], [ops[i] for i in perm]


def topological_perms(matrix: np.ndarray) -> list[list[int]]:
    """Orders of the interior vertices that keep the matrix upper triangular."""
    n = matrix.shape[0]
    out = []
    for mid in itertools.permutations(range(1, n - 1)):
        perm = [0, *mid, n - 1]
        pm = matrix[np.ix_(perm, perm)]
        if not np.tril(pm).any():
            out.append(perm)
    return out


def test_pinned_hash_from_ecnas() -> None:
    # Key of this graph in EC-NAS-Bench's generated_graphs_5V9E.json.
    m = [[0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    assert nb101_hash(m, [-1, 2, 2, -2]) == "001a6fcc8b38cbc515be788a86bdc804"
    assert NB101Cell.from_labels(m, [-1, 2, 2, -2]).graph_hash == "001a6fcc8b38cbc515be788a86bdc804"


def test_isomorphic_cells_share_a_hash() -> None:
    base = NB101Cell(M7, OPS7).graph_hash
    perms = topological_perms(M7)
    assert len(perms) > 3  # the test is not vacuous
    for perm in perms:
        m, ops = permute(M7, OPS7, perm)
        cell = NB101Cell(m, ops)
        assert cell.graph_hash == base
        if perm != list(range(7)):
            assert cell != NB101Cell(M7, OPS7)  # different encoding, same network


def test_different_ops_or_edges_give_different_hashes() -> None:
    base = NB101Cell(M7, OPS7).graph_hash
    seen = {base}
    for k in range(1, 6):
        for op in NB101_OPS:
            if op != OPS7[k]:
                ops = list(OPS7)
                ops[k] = op
                seen.add(NB101Cell(M7, ops).graph_hash)
    m = M7.copy()
    m[0, 6] = 0  # drop the skip
    seen.add(NB101Cell(m, OPS7).graph_hash)
    assert len(seen) == 1 + 5 * 2 + 1


def test_swapping_two_chain_ops_changes_the_hash() -> None:
    chain = np.eye(4, k=1, dtype=int)
    a = NB101Cell(chain, ["input", C3, C1, "output"])
    b = NB101Cell(chain, ["input", C1, C3, "output"])
    assert a.graph_hash != b.graph_hash


def test_pruning_removes_vertices_off_the_input_output_path() -> None:
    m = np.zeros((5, 5), dtype=int)
    m[0, 1] = m[1, 4] = 1  # the path
    m[0, 2] = 1  # vertex 2: reached from input, leads nowhere
    m[3, 4] = 1  # vertex 3: leads to output, never reached
    cell = NB101Cell(m, ["input", C3, C1, MP, "output"])
    assert cell.num_vertices == 3
    assert cell.ops == ("input", C3, "output")
    assert cell.graph_hash == NB101Cell(np.eye(3, k=1), ["input", C3, "output"]).graph_hash
    with pytest.raises(ArchitectureError, match=r"vertices \[2, 3\] are not on a path"):
        NB101Cell(m, ["input", C3, C1, MP, "output"], prune=False)


def test_edges_are_counted_after_pruning() -> None:
    m = np.triu(np.ones((7, 7), dtype=int), 1)  # 21 edges, all live
    with pytest.raises(ArchitectureError, match="at most 9 edges"):
        NB101Cell(m, ["input", C3, C3, C3, C3, C3, "output"])


@pytest.mark.parametrize(
    ("matrix", "ops", "message"),
    [
        ([[0, 1], [1, 0]], ["input", "output"], "strictly upper triangular"),
        ([[1, 1], [0, 0]], ["input", "output"], r"entry \(0, 0\) is 1"),
        ([[0, 2], [0, 0]], ["input", "output"], "must be 0 or 1"),
        ([[0, 1, 0]], ["input", "output"], "must be square"),
        (np.eye(8, k=1), ["input", *[C3] * 6, "output"], "between 2 and 7 vertices"),
        (np.eye(3, k=1), ["input", "conv5x5", "output"], "unknown operation 'conv5x5'"),
        (np.eye(3, k=1), ["input", C3], "one operation per vertex"),
        (np.eye(3, k=1), [C3, C3, "output"], "first operation must be 'input'"),
        ([[0, 1, 0], [0, 0, 0], [0, 0, 0]], ["input", C3, "output"], "disconnected"),
    ],
)
def test_invalid_cells_raise_clear_errors(matrix: object, ops: list[str], message: str) -> None:
    with pytest.raises(ArchitectureError, match=message):
        NB101Cell(matrix, ops)  # type: ignore[arg-type]


def test_unknown_label_is_an_error() -> None:
    with pytest.raises(ArchitectureError, match="unknown operation label 3 at vertex 1"):
        NB101Cell.from_labels(np.eye(3, k=1), [-1, 3, -2])


def test_cell_string_round_trip_and_labels() -> None:
    cell = NB101Cell(M7, OPS7)
    text = cell.to_string()
    assert text.startswith("0110001,0001000,")
    assert NB101Cell.from_string(text) == cell
    assert cell.labels == (-1, 0, 1, 2, 0, 1, -2)
    assert NB101Cell.from_labels(M7, cell.labels) == cell
    for bad in ["01,00", "0a,00|input,output", "011,00|input,x,output"]:
        with pytest.raises(ArchitectureError):
            NB101Cell.from_string(bad)


def test_param_count_of_the_smallest_cell() -> None:
    # input -> output: only 1x1 projections. Stem 3*3*3*128 + 2*128; per module a conv-BN of
    # c_in x c_out; dense 512*10 + 10.
    cell = NB101Cell([[0, 1], [0, 0]], ["input", "output"])
    stem = 27 * 128 + 256
    stack0 = 3 * (128 * 128 + 256)
    stack1 = (128 * 256 + 512) + 2 * (256 * 256 + 512)
    stack2 = (256 * 512 + 1024) + 2 * (512 * 512 + 1024)
    assert nb101_param_count(cell) == stem + stack0 + stack1 + stack2 + 5130 == 882570


def test_padded_keeps_output_last() -> None:
    cell = NB101Cell(np.eye(3, k=1), ["input", C1, "output"])
    m, lab = cell.padded(5)
    assert m[0, 1] == 1 and m[1, 4] == 1 and m.sum() == 2
    assert lab.tolist() == [-1, 1, -3, -3, -2]


def _small_space() -> NB101CellSpace:
    chain = np.eye(3, k=1, dtype=int)
    skip = chain.copy()
    skip[0, 2] = 1
    cells = [NB101Cell([[0, 1], [0, 0]], ["input", "output"])]
    cells += [NB101Cell(chain, ["input", op, "output"]) for op in NB101_OPS]
    cells += [NB101Cell(skip, ["input", op, "output"]) for op in NB101_OPS]
    return NB101CellSpace(cells, max_vertices=4, name="tiny")


def test_cell_space_is_a_search_space() -> None:
    space = _small_space()
    assert isinstance(space, SearchSpace)
    assert space.size == 7
    feats = space.features(space.all_indices())
    assert feats.shape == (7, 6 + 3 * 2) == (7, space.feature_dim)
    # chain with conv1x1: edges 0->1, 1->3 (output last), op one-hot of vertex 1.
    row = feats[2]
    iu = list(zip(*np.triu_indices(4, 1), strict=True))
    assert {iu[k] for k in np.flatnonzero(row[:6])} == {(0, 1), (1, 3)}
    assert row[6:].tolist() == [0, 1, 0, 0, 0, 0]
    for i in space.all_indices():
        h = space.to_string(int(i))
        assert space.from_string(h) == i
        assert space.from_string(space.cell_string(int(i))) == i


def test_cell_space_neighbours() -> None:
    space = _small_space()
    # chain(conv3x3): other ops on the chain (2), the same op with the skip added (1)
    assert space.neighbours(1).tolist() == [2, 3, 4]
    # skip(conv3x3): other skip ops, chain (skip removed), and input->output (edge 0->1 removed)
    assert space.neighbours(4).tolist() == [0, 1, 5, 6]
    assert space.neighbours(0).size == 0  # removing the only edge disconnects
    draws = {space.mutate(0, seed=s) for s in range(30)}
    assert 0 not in draws and draws <= set(range(1, 7))
    assert space.mutate(1, seed=3) == space.mutate(1, seed=3)


def test_cell_space_rejects_isomorphic_duplicates_and_unknown_cells() -> None:
    m, ops = permute(M7, OPS7, topological_perms(M7)[1])
    with pytest.raises(ArchitectureError, match="isomorphic"):
        NB101CellSpace([NB101Cell(M7, OPS7), NB101Cell(m, ops)])
    space = _small_space()
    with pytest.raises(ArchitectureError, match="not one of the 7 cells"):
        space.from_string(NB101Cell(M7, OPS7).to_string())
    with pytest.raises(ArchitectureError, match="not one of the 7 cells"):
        space.from_string("0" * 32)


def test_enumeration_counts_isomorphism_classes() -> None:
    cells = enumerate_nb101_cells(4)
    # 1 two-vertex, 2x3 three-vertex and 84 four-vertex cells: EC-NAS's 4V space has 91.
    assert len(cells) == 91
    assert np.bincount([c.num_vertices for c in cells])[2:].tolist() == [1, 6, 84]
    assert [c.graph_hash for c in cells] == sorted(c.graph_hash for c in cells)
    space = NB101CellSpace(cells)
    assert space.max_vertices == 4
    # Only input -> output has no neighbour in the full space.
    assert sum(space.neighbours(i).size == 0 for i in range(space.size)) == 1
    with pytest.raises(ArchitectureError, match="between 2 and 7"):
        enumerate_nb101_cells(8)


@pytest.mark.data
def test_enumerated_5v_space_is_the_measured_ecnas_space(data_dir: Path) -> None:
    from cenas.ecnas import load_ecnas

    hashes = [c.graph_hash for c in enumerate_nb101_cells(5)]
    assert hashes == list(load_ecnas(5, data_dir).space.hashes)
