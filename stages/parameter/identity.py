"""The parameter stage's identity: the AWS provider's SSM Parameter.

Replace rule (the Terraform bridge's schema for aws_ssm_parameter): `name` and `dataType`
are ForceNew; every other change is an update in place.
"""

from stages.identity import component_type

TYPE = "aws:ssm/parameter:Parameter"
REPLACE_ON = ("name", "dataType")
COMPONENT_TYPE = component_type("TokenParameter")
