"""Report headers exactly as in the real exports (/work/shared/formats.md); rows map onto them by name."""

from __future__ import annotations


def _columns(line: str, separator: str) -> tuple[str, ...]:
    return tuple(line.split(separator))


ORDER_REPORT_HEADER = _columns(
    "order-id order-item-id purchase-date payments-date buyer-email buyer-name buyer-phone-number sku product-name"
    " quantity-purchased currency item-price item-tax shipping-price shipping-tax ship-service-level recipient-name"
    " ship-address-1 ship-address-2 ship-address-3 ship-city ship-state ship-postal-code ship-country"
    " ship-phone-number delivery-start-date delivery-end-date delivery-time-zone delivery-Instructions sales-channel",
    " ",
)
UNSHIPPED_HEADER = _columns(
    "order-id order-item-id purchase-date payments-date reporting-date promise-date days-past-promise buyer-email"
    " buyer-name buyer-phone-number sku product-name quantity-purchased quantity-shipped quantity-to-ship"
    " ship-service-level recipient-name ship-address-1 ship-address-2 ship-address-3 ship-city ship-state"
    " ship-postal-code ship-country is-business-order purchase-order-number price-designation is-iba"
    " verge-of-cancellation verge-of-lateShipment",
    " ",
)
ALL_ORDERS_HEADER = _columns(
    "amazon-order-id merchant-order-id purchase-date last-updated-date order-status fulfillment-channel"
    " sales-channel order-channel url ship-service-level product-name sku asin item-status quantity currency"
    " item-price item-tax shipping-price shipping-tax gift-wrap-price gift-wrap-tax item-promotion-discount"
    " ship-promotion-discount ship-city ship-state ship-postal-code ship-country promotion-ids is-business-order"
    " purchase-order-number price-designation",
    " ",
)
FBA_SHIPMENTS_HEADER = _columns(
    "amazon-order-id merchant-order-id shipment-id shipment-item-id amazon-order-item-id merchant-order-item-id"
    " purchase-date payments-date shipment-date reporting-date buyer-email buyer-name buyer-phone-number sku"
    " product-name quantity-shipped currency item-price item-tax shipping-price shipping-tax gift-wrap-price"
    " gift-wrap-tax ship-service-level recipient-name ship-address-1 ship-address-2 ship-address-3 ship-city"
    " ship-state ship-postal-code ship-country ship-phone-number bill-address-1 bill-address-2 bill-address-3"
    " bill-city bill-state bill-postal-code bill-country item-promotion-discount ship-promotion-discount carrier"
    " tracking-number estimated-arrival-date fulfillment-center-id fulfillment-channel sales-channel",
    " ",
)
MFN_RETURNS_HEADER = _columns(
    "Order ID,Order date,Return request date,Return request status,Amazon RMA ID,Merchant RMA ID,Label type,"
    "Label cost,Currency code,Return carrier,Tracking ID,Label to be paid by,A-to-Z Claim,Is prime,ASIN,"
    "Merchant SKU,Item Name,Return quantity,Return Reason,In policy,Return type,Resolution,Invoice number,"
    "Return delivery date,Order Amount,Order quantity,SafeT Action reason,SafeT claim id,SafeT claim state,"
    "SafeT claim creation time,SafeT claim reimbursement amount,Refunded Amount",
    ",",
)
FBA_RETURNS_HEADER = _columns(
    "return-date order-id sku asin fnsku product-name quantity fulfillment-center-id detailed-disposition reason"
    " status license-plate-number customer-comments",
    " ",
)
SHOPIFY_ORDERS_HEADER = _columns(
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,"
    "Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,"
    "Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,"
    "Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,"
    "Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,"
    "Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,"
    "Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References",
    ",",
)
SHOPIFY_CUSTOMERS_HEADER = _columns(
    "First Name,Last Name,Email,Accepts Email Marketing,Company,Address1,Address2,City,Province,Province Code,"
    "Country,Country Code,Zip,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt",
    ",",
)
# Shopify repeats only these on the second and later rows of an order; the rest stays blank there.
SHOPIFY_LINE_COLUMNS = frozenset(
    {
        "Name",
        "Email",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem compare at price",
        "Lineitem sku",
        "Lineitem requires shipping",
        "Lineitem taxable",
        "Lineitem fulfillment status",
        "Vendor",
        "Lineitem discount",
    }
)
