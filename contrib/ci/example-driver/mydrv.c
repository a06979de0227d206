// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mydrv - the smallest out-of-tree driver on uvPCI: it binds the devices
 * of its ID, enables them and logs the vendor ID it reads from config
 * space. The driver a user's CI builds and tests (contrib/ci/).
 */
#include <linux/module.h>
#include <uvpci.h>

static int mydrv_probe(struct uvpci_dev *udev, const struct uvpci_device_id *id)
{
	u16 vendor;
	int err = uvpci_enable_device(udev);

	if (err)
		return err;
	err = uvpci_read_config_word(udev, PCI_VENDOR_ID, &vendor);
	if (err) {
		uvpci_disable_device(udev);
		return err;
	}
	dev_info(&udev->dev, "mydrv: vendor %04x\n", vendor);
	return 0;
}

static void mydrv_remove(struct uvpci_dev *udev)
{
	uvpci_disable_device(udev);
	dev_info(&udev->dev, "mydrv: removed\n");
}

static const struct uvpci_device_id mydrv_ids[] = {
	{ PCI_DEVICE(0x1af4, 0x7ff0) },
	{ }
};
MODULE_DEVICE_TABLE(uvpci, mydrv_ids);

static struct uvpci_driver mydrv_driver = {
	.name = "mydrv",
	.id_table = mydrv_ids,
	.probe = mydrv_probe,
	.remove = mydrv_remove,
};
module_uvpci_driver(mydrv_driver);
MODULE_DESCRIPTION("Example out-of-tree uvPCI driver");
MODULE_LICENSE("GPL");
