"""Persons from faces: nearest member under the threshold, regrouping that keeps names, boxes."""

import numpy as np
from fotoai.people.domain.clustering import carry_names, nearest_person, recluster
from fotoai.people.domain.crops import pixel_box


def test_a_face_joins_the_person_of_its_nearest_member_under_the_threshold():
    members = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]], dtype=np.float32)
    owners = ["ana", "ana", "bo"]
    assert nearest_person(np.array([1.2, 0.1]), members, owners, 0.6).person_id == "ana"
    assert nearest_person(np.array([5.3, 5.0]), members, owners, 0.6).person_id == "bo"
    far = nearest_person(np.array([3.0, 3.0]), members, owners, 0.6)
    assert far.person_id is None and far.distance > 0.6


def test_no_known_faces_means_a_new_person():
    assert nearest_person(np.zeros(2), np.zeros((0, 2)), [], 0.6).person_id is None


def test_recluster_joins_chains_under_the_threshold():
    faces = np.array([[0.0], [0.5], [1.0], [9.0]], dtype=np.float32)
    assert recluster(faces, 0.6) == [0, 0, 0, 1]


def test_regrouping_keeps_named_persons_ids():
    # Faces 0-2 were split over "ana" (named) and "x1"; regrouped as one group, it stays "ana".
    groups = [0, 0, 0, 1]
    previous = ["x1", "ana", "x1", "bo"]
    assert carry_names(groups, previous, named={"ana"}) == {0: "ana", 1: "bo"}


def test_a_split_gives_the_old_id_to_one_group_only():
    assert carry_names([0, 1], ["ana", "ana"], named={"ana"}) in ({0: "ana", 1: None}, {0: None, 1: "ana"})


def test_pixel_boxes_are_clipped_to_the_image():
    assert pixel_box((0.25, 0.5, 0.5, 0.25), 400, 200) == (100, 100, 300, 150)
    assert pixel_box((0.9, 0.9, 0.5, 0.5), 100, 100) == (90, 90, 100, 100)


def test_recluster_never_splits_what_the_user_vouched_for():
    faces = np.array([[0.0, 0.0], [5.0, 0.0], [10.0, 0.0], [0.1, 0.0]], dtype=np.float32)
    assert recluster(faces, 0.6) == [0, 1, 2, 0]
    # Faces 1 and 2 belong to a person the user named: they stay one group.
    assert recluster(faces, 0.6, keep=[None, "ana", "ana", None]) == [0, 1, 1, 0]
    # Labels join across distance, transitively with the threshold's groups.
    assert recluster(faces, 0.6, keep=["ana", None, "ana", None]) == [0, 1, 0, 0]
