"""cluster.yaml and serve_config.yaml hold up against Ray's own schemas, offline."""

import importlib
from pathlib import Path

import pytest
import yaml
from ray.autoscaler._private.util import prepare_config, validate_config
from ray.serve.schema import ServeDeploySchema

from runtime.node import ray_environment, serve_environment
from runtime.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_cluster_yaml_is_a_valid_cluster_launcher_config():
    config = yaml.safe_load((ROOT / "cluster.yaml").read_text())
    validate_config(prepare_config(config))
    workers = config["available_node_types"]["call_worker"]
    assert workers["max_workers"] > workers["min_workers"]  # autoscaling workers
    assert any("serve deploy serve_config.yaml" in c for c in config["head_start_ray_commands"])


def test_every_ray_start_in_cluster_yaml_exports_the_haproxy_ingress_and_ray_flags():
    config = yaml.safe_load((ROOT / "cluster.yaml").read_text())
    starts = [command for command in (*config["head_start_ray_commands"],
                                      *config["worker_start_ray_commands"])
              if "ray start" in command]
    assert len(starts) == 2
    for command in starts:
        exported = command.split(" && ")[1].split()  # cd ... && export ... &&
        for name, value in {**serve_environment("haproxy"), **ray_environment()}.items():
            assert f"{name}={value}" in exported, (name, command)


def test_cluster_yaml_with_an_unknown_key_is_rejected():
    config = yaml.safe_load((ROOT / "cluster.yaml").read_text())
    config["head_node_typo"] = "head"
    with pytest.raises(Exception):  # noqa: B017 - Ray raises jsonschema's ValidationError
        validate_config(prepare_config(config))


def test_serve_config_is_a_valid_serve_deploy_config_for_our_app():
    document = yaml.safe_load((ROOT / "serve_config.yaml").read_text())
    schema = ServeDeploySchema.model_validate(document)
    (app,) = schema.applications
    module_name, builder_name = app.import_path.split(":")
    builder = getattr(importlib.import_module(module_name), builder_name)
    assert callable(builder)
    assert set(app.args) <= set(Settings.model_fields)
    deployment_names = {d.name for d in app.deployments}
    assert deployment_names == {"ApiGateway"}
